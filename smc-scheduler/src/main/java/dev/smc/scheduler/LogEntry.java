package dev.smc.scheduler;

import java.time.Instant;

/**
 * One event of a task's log: when (from the injected clock), what happened and why. Immutable.
 *
 * @param cause why it happened (the action, the schedule, or the error), or empty
 */
public record LogEntry(Instant time, String event, String cause) {
  public LogEntry {
    java.util.Objects.requireNonNull(time, "time");
    java.util.Objects.requireNonNull(event, "event");
    java.util.Objects.requireNonNull(cause, "cause");
  }

  @Override
  public String toString() {
    return time + " " + event + (cause.isEmpty() ? "" : " (cause: " + cause + ")");
  }
}
