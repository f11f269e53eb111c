package dev.smc.transfer.codec;

import dev.smc.TransferOptions;
import java.util.Optional;

/**
 * Maps the user's compression level (0 = none .. 10 = smallest) onto a codec and native level.
 * Low levels use LZ4 so a full cycle stays near disk speed; high levels use zstd for thin links.
 * The mapping is measured in {@code benchmarks/} (see BENCHMARKS.md).
 */
public final class CompressionLevels {
  private static final Codec.Compressor[] LEVELS = {
      null,                                   // 0: none
      new Codec.Compressor(Codec.LZ4, 0),     // 1: LZ4 fast, ~2.0-2.3x, ~0.9-1.2 GB/s on 2 cores
      new Codec.Compressor(Codec.ZSTD, 1),    // 2: ~3.0x, ~0.8 GB/s
      new Codec.Compressor(Codec.ZSTD, 2),    // 3
      new Codec.Compressor(Codec.ZSTD, 3),    // 4
      new Codec.Compressor(Codec.ZSTD, 6),    // 5: ~3.5x, ~0.25 GB/s (links up to ~500 Mbit/s)
      new Codec.Compressor(Codec.ZSTD, 9),    // 6
      new Codec.Compressor(Codec.ZSTD, 12),   // 7
      new Codec.Compressor(Codec.ZSTD, 15),   // 8: slow levels first try zstd 1 and store
      new Codec.Compressor(Codec.ZSTD, 16),   // 9:   incompressible chunks raw without the slow pass
      new Codec.Compressor(Codec.ZSTD, 19),   // 10: ~3.8-4x, ~10 MB/s (links of ~20 Mbit/s)
  };


  /**
   * What metadata (trees) is always stored with, whatever the level: zstd 3 halves path-heavy tree
   * chunks against LZ4 at a cost that does not matter for a few MB per cycle.
   */
  public static final Codec.Compressor METADATA = new Codec.Compressor(Codec.ZSTD, 3);

  private CompressionLevels() {}

  /** The compressor of a level, or empty for level 0. */
  public static Optional<Codec.Compressor> forLevel(int level) {
    if (level < 0 || level > TransferOptions.MAX_COMPRESSION_LEVEL) {
      throw new IllegalArgumentException("compression level " + level + ": allowed 0..10");
    }
    return Optional.ofNullable(LEVELS[level]);
  }
}
