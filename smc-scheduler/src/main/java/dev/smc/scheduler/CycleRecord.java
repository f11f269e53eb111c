package dev.smc.scheduler;

import dev.smc.ImageRef;
import java.time.Instant;
import java.util.Optional;

/**
 * One cycle of a task. A cycle that failed, was paused or was interrupted keeps its number when it
 * is retried ({@code attempts} counts the runs); its image is {@code <image name>-CYCLE_<number>}.
 * Immutable.
 *
 * @param bytesScanned bytes of source data the image holds
 * @param bytesSent bytes newly written to the repository (after dedup and compression)
 */
public record CycleRecord(int number, RunType type, Instant start, Optional<Instant> end, Optional<ImageRef> image,
    long bytesScanned, long bytesSent, Outcome outcome, Optional<String> error, int attempts) {

  /** How a cycle ended, or {@code Running}. */
  public enum Outcome {
    Running, Succeeded, Failed, Cancelled, Interrupted
  }

  public CycleRecord {
    if (number < 1) {
      throw new IllegalArgumentException("number " + number + ": at least 1");
    }
    java.util.Objects.requireNonNull(type, "type");
    java.util.Objects.requireNonNull(start, "start");
    java.util.Objects.requireNonNull(outcome, "outcome");
  }
}
