package dev.smc;

import dev.smc.internal.Checks;

/**
 * How a cycle moves data: bandwidth limit, compression level and checksum verification.
 * Immutable and thread-safe.
 *
 * @param bandwidthLimitKBps bytes leaving the source per second, in KiB/s (1 KB = 1024 bytes); 0 = unlimited
 * @param compressionLevel 0 = none (default) .. 10 = smallest; chunks that do not shrink are stored raw
 * @param checksum whether every stored chunk is re-hashed where it lands and the committed image is
 *     read back and verified before the cycle counts
 */
public record TransferOptions(long bandwidthLimitKBps, int compressionLevel, boolean checksum) {
  public static final int MAX_COMPRESSION_LEVEL = 10;
  /** 100 GiB/s: far above any link; a larger value is surely a unit mistake. */
  public static final long MAX_BANDWIDTH_KBPS = 100L * 1024 * 1024;
  public static final TransferOptions DEFAULTS = new TransferOptions(0, 0, false);

  public TransferOptions {
    Checks c = new Checks();
    c.range("bandwidthLimitKBps", bandwidthLimitKBps, 0, MAX_BANDWIDTH_KBPS);
    c.range("compressionLevel", compressionLevel, 0, MAX_COMPRESSION_LEVEL);
    c.throwIfAny();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the bandwidth is limited. */
  public boolean limited() {
    return bandwidthLimitKBps > 0;
  }

  /** Builds {@link TransferOptions}; {@link #build()} reports every bad field at once. */
  public static final class Builder {
    private long bandwidthLimitKBps;
    private int compressionLevel;
    private boolean checksum;

    public Builder bandwidthLimitKBps(long kbps) {
      this.bandwidthLimitKBps = kbps;
      return this;
    }

    public Builder compressionLevel(int level) {
      this.compressionLevel = level;
      return this;
    }

    public Builder checksum(boolean on) {
      this.checksum = on;
      return this;
    }

    public TransferOptions build() {
      return new TransferOptions(bandwidthLimitKBps, compressionLevel, checksum);
    }
  }
}
