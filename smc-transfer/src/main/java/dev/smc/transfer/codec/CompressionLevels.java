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
      new Codec.Compressor(Codec.LZ4, 0),     // 1: LZ4 fast
      new Codec.Compressor(Codec.ZSTD, 1),    // 2
      new Codec.Compressor(Codec.ZSTD, 2),    // 3
      new Codec.Compressor(Codec.ZSTD, 3),    // 4
      new Codec.Compressor(Codec.ZSTD, 5),    // 5
      new Codec.Compressor(Codec.ZSTD, 7),    // 6
      new Codec.Compressor(Codec.ZSTD, 9),    // 7
      new Codec.Compressor(Codec.ZSTD, 12),   // 8
      new Codec.Compressor(Codec.ZSTD, 15),   // 9
      new Codec.Compressor(Codec.ZSTD, 19),   // 10
  };

  /** LZ4 fast: what metadata (trees) is always stored with. */
  public static final Codec.Compressor METADATA = new Codec.Compressor(Codec.LZ4, 0);

  private CompressionLevels() {}

  /** The compressor of a level, or empty for level 0. */
  public static Optional<Codec.Compressor> forLevel(int level) {
    if (level < 0 || level > TransferOptions.MAX_COMPRESSION_LEVEL) {
      throw new IllegalArgumentException("compression level " + level + ": allowed 0..10");
    }
    return Optional.ofNullable(LEVELS[level]);
  }
}
