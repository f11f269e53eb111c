package dev.smc;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a cycle's progress. Immutable and thread-safe.
 *
 * <p>The engines give a total from the first snapshot on where they can: an estimate ({@link #totalEstimated()})
 * until the exact total is known. The file engine estimates with the parent image's size, else, for a file
 * system's root (a server's {@code /}, a mount point), the bytes in use on it, and gives the exact total once its
 * walk has counted every file (a folder inside a file system has -1 until then); the block engine knows the exact
 * total (the disk's size) at once. So {@link #percent()} and {@link #eta()} exist from the start of a server's
 * full cycle and of every incremental one.
 *
 * @param bytesScanned bytes of the source done so far: read, or taken unread from the parent (reused files count
 *     at once); a file still being read is not done yet
 * @param bytesTotal the source's bytes to do, or -1 when not known (never from the engines); a block cycle's is
 *     the disk's size without the blocks it skips (free space, partitions left out)
 * @param totalEstimated whether {@code bytesTotal} is an estimate, which the exact count will replace
 * @param bytesRead bytes actually read from the source
 * @param bytesStored bytes newly stored (after dedup and compression); they leave for the repository in packs
 * @param bytesSent bytes that have left for the repository: what the link carried, at most about
 *     {@code bytesStored} plus framing, behind it while packs wait to be uploaded
 * @param filesScanned files looked at so far (0 for a disk)
 * @param bytesPerSecond the recent rate of {@code bytesScanned}
 * @param readBytesPerSecond the recent rate of {@code bytesRead}
 * @param sentBytesPerSecond the recent rate of {@code bytesSent}; under a bandwidth limit at most about the limit
 * @param elapsed time since the cycle started
 */
public record Progress(long bytesScanned, long bytesTotal, boolean totalEstimated, long bytesRead, long bytesStored,
    long bytesSent, long filesScanned, double bytesPerSecond, double readBytesPerSecond, double sentBytesPerSecond,
    Duration elapsed) {

  public Progress {
    requireAtLeast("bytesScanned", bytesScanned, 0);
    requireAtLeast("bytesTotal", bytesTotal, -1);
    requireAtLeast("bytesRead", bytesRead, 0);
    requireAtLeast("bytesStored", bytesStored, 0);
    requireAtLeast("bytesSent", bytesSent, 0);
    requireAtLeast("filesScanned", filesScanned, 0);
    requireRate("bytesPerSecond", bytesPerSecond);
    requireRate("readBytesPerSecond", readBytesPerSecond);
    requireRate("sentBytesPerSecond", sentBytesPerSecond);
    if (elapsed == null || elapsed.isNegative()) {
      throw new IllegalArgumentException("elapsed " + elapsed + ": must be a duration >= 0");
    }
  }

  /**
   * An exact total (or -1 for none), everything stored sent, and only the scan rate: as before the read and sent
   * rates existed.
   */
  public Progress(long bytesScanned, long bytesTotal, long bytesRead, long bytesSent, long filesScanned,
      double bytesPerSecond, Duration elapsed) {
    this(bytesScanned, bytesTotal, false, bytesRead, bytesSent, bytesSent, filesScanned, bytesPerSecond, 0, 0,
        elapsed);
  }

  /**
   * Percent done, 0-100, of the total (estimated or exact); -1 only when there is no total at all. While stored
   * bytes wait to leave for the repository (under a bandwidth limit, most of the cycle), it is the smaller of the
   * share scanned and the share sent of what the cycle will store (what it stored so far, plus the rest of the
   * source at the same ratio), and at most 99.9: the cycle is not done before they have left.
   */
  public double percent() {
    if (bytesTotal < 0) {
      return -1;
    }
    double p = bytesTotal == 0 ? 100 : Math.min(100.0, 100.0 * bytesScanned / bytesTotal);
    if (unsent() > 0) {
      if (bytesScanned > 0) {
        double toStore = bytesStored + Math.max(0, bytesTotal - bytesScanned) * ((double) bytesStored / bytesScanned);
        p = Math.min(p, 100.0 * bytesSent / toStore);
      }
      p = Math.min(p, 99.9);
    }
    return p;
  }

  /** Stored bytes that have not left yet. */
  private long unsent() {
    return Math.max(0, bytesStored - bytesSent);
  }

  /**
   * Estimated time left, when a total and a rate are known. Reading and sending are what take the time: the
   * bytes still to read and to store are projected from the shares read and stored so far; to send are those and
   * what is stored but not sent yet; each over its recent rate, and the slower of the two is the answer (under a
   * bandwidth limit, sending). When neither moves (an incremental cycle that reuses every file so far), the scan
   * rate is used.
   */
  public Optional<Duration> eta() {
    if (bytesTotal < 0) {
      return Optional.empty();
    }
    long left = Math.max(0, bytesTotal - bytesScanned);
    if (left == 0 && unsent() == 0) {
      return Optional.of(Duration.ZERO);
    }
    double seconds = -1;
    if (bytesScanned > 0) {
      seconds = Math.max(timeFor(left * ((double) bytesRead / bytesScanned), readBytesPerSecond),
          timeFor(left * ((double) bytesStored / bytesScanned) + unsent(), sentBytesPerSecond));
    }
    if (seconds < 0) {
      seconds = timeFor(left, bytesPerSecond);
    }
    // whole seconds, rounded up: "0s" only when nothing is left
    return seconds < 0 ? Optional.empty()
        : Optional.of(Duration.ofSeconds((long) Math.ceil(Math.min(seconds, 1e12))));
  }

  /** Seconds for {@code bytes} at {@code rate}, or -1 when nothing to do at that rate or no rate. */
  private static double timeFor(double bytes, double rate) {
    return bytes <= 0 || rate <= 0 ? -1 : bytes / rate;
  }

  private static void requireAtLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " " + value + ": must be >= " + min);
    }
  }

  private static void requireRate(String field, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " " + value + ": must be a finite rate >= 0");
    }
  }
}
