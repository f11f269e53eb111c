package dev.smc;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a cycle's progress. Immutable.
 *
 * @param bytesScanned bytes of source data looked at so far (reused files count at once)
 * @param bytesTotal the source's bytes to look at, or -1 while the scan has not finished counting
 * @param bytesRead bytes actually read from the source
 * @param bytesSent bytes written to the repository (after dedup and compression)
 * @param bytesPerSecond the recent rate of {@code bytesScanned}
 */
public record Progress(long bytesScanned, long bytesTotal, long bytesRead, long bytesSent, long filesScanned,
    double bytesPerSecond, Duration elapsed) {

  /** Percent done, 0-100, or -1 when the total is not known yet. */
  public double percent() {
    if (bytesTotal <= 0) {
      return bytesTotal == 0 ? 100 : -1;
    }
    return Math.min(100.0, 100.0 * bytesScanned / bytesTotal);
  }

  /** Estimated time left, when the total and a rate are known. */
  public Optional<Duration> eta() {
    if (bytesTotal < 0 || bytesPerSecond <= 0) {
      return Optional.empty();
    }
    long left = Math.max(0, bytesTotal - bytesScanned);
    return Optional.of(Duration.ofMillis((long) (left * 1000.0 / bytesPerSecond)));
  }
}
