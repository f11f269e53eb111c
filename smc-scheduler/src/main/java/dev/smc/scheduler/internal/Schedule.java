package dev.smc.scheduler.internal;

import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskState;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.RunType;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a tick does to each task at the clock's now: starts a Ready task whose run time came, runs
 * the interval cycle of a Waiting task, refreshes a running cycle's heartbeat (skipping an interval
 * that came due meanwhile), and applies {@link Expiry}. Stateless; callers hold the scheduler's lock.
 */
public final class Schedule {
  private static final Logger LOG = LoggerFactory.getLogger(Schedule.class);

  private Schedule() {}

  /** Does the work due at {@code now} for every stored task; a task that cannot act is logged and skipped. */
  public static void tick(TaskJournal journal, CycleRunner cycles, Instant now) throws IOException {
    for (MigrationTask t : journal.store().tasks()) {
      try {
        tick(journal, cycles, t, now);
      } catch (SmcException e) {
        LOG.warn("task '{}': tick: {}", t.name(), e.getMessage());
        journal.log(t.id(), "tick could not act", e.getMessage());
      }
    }
  }

  private static void tick(TaskJournal journal, CycleRunner cycles, MigrationTask t, Instant now) throws IOException {
    switch (t.state()) {
      case Ready, Stopped, InError -> {
        if (!Expiry.expireIfDue(journal, t, now) && t.state() == TaskState.Ready
            && t.spec().runMode() instanceof RunMode.At at && !now.isBefore(at.when())) {
          cycles.begin(t.id(), Action.SCHEDULED_TIME, RunType.Schedule, false, "scheduled time " + at.when()
              + " reached");
        }
      }
      case Waiting -> {
        if (t.nextRun().isPresent() && !now.isBefore(t.nextRun().get())) {
          cycles.begin(t.id(), Action.INTERVAL, RunType.Schedule, false, "interval elapsed (due " + t.nextRun().get()
              + ")");
        }
      }
      case Running -> cycles.tickRunning(t, now);
      case Expired -> Expiry.deleteIfDue(journal, t, now);
      default -> {}
    }
  }
}
