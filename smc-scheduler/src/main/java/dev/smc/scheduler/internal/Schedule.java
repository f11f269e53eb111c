package dev.smc.scheduler.internal;

import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskState;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.RunType;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a tick does to each task at the clock's now: starts a Ready task whose run time came, runs
 * the interval cycle of a Waiting task, refreshes a running cycle's heartbeat (skipping an interval
 * that came due meanwhile), resumes (if asked) a cycle its owner's stop or crash interrupted, and
 * applies {@link Expiry}. Each tick's decisions, task by task, go to one log line: INFO when the tick
 * acted on a task or a decision differs from the previous tick's, else DEBUG (a service that ticks
 * every 30 s says what it does without repeating itself). Stateless; callers hold the scheduler's lock.
 */
public final class Schedule {
  private static final Logger LOG = LoggerFactory.getLogger(Schedule.class);

  private Schedule() {}

  /** What a tick decided for one task, and whether that changed anything. */
  private record Decision(String text, boolean acted) {}

  /**
   * Does the work due at {@code now} for every stored task; a task that cannot act is logged and
   * skipped. Returns the decisions of the tasks it left alone, for the next tick's {@code previous}.
   *
   * @param resume whether to resume the cycles their owner's stop, crash or reboot interrupted ({@link Recovery#resumable})
   * @param previous what the previous tick returned ("" for none)
   */
  public static String tick(TaskJournal journal, CycleRunner cycles, Instant now, boolean resume, String previous)
      throws IOException {
    List<String> acted = new ArrayList<>();
    List<String> idle = new ArrayList<>();
    for (MigrationTask t : journal.store().tasks()) {
      Decision d;
      try {
        d = tick(journal, cycles, t, now, resume);
      } catch (SmcException e) {
        LOG.warn("task '{}': tick: {}", t.name(), e.getMessage());
        journal.log(t.id(), "tick could not act", e.getMessage());
        d = new Decision("could not act: " + e.getMessage(), true);
      }
      (d.acted() ? acted : idle).add("'" + t.name() + "' " + d.text());
    }
    Instant at = now.truncatedTo(ChronoUnit.MILLIS);
    String left = idle.isEmpty() ? "no task to run" : String.join("; ", idle);
    if (!acted.isEmpty()) {
      LOG.info("tick at {}: {}{}", at, String.join("; ", acted), idle.isEmpty() ? "" : "; " + left);
    } else if (!left.equals(previous)) {
      LOG.info("tick at {}: nothing due: {}", at, left);
    } else {
      LOG.debug("tick at {}: nothing due: {}", at, left);
    }
    return left;
  }

  private static Decision tick(TaskJournal journal, CycleRunner cycles, MigrationTask t, Instant now, boolean resume)
      throws IOException {
    switch (t.state()) {
      case Ready, Stopped, InError -> {
        if (Expiry.expireIfDue(journal, t, now)) {
          return new Decision("expired: validity ended at " + t.expires(), true);
        }
        if (t.state() == TaskState.InError) {
          return inError(journal, cycles, t, resume);
        }
        if (t.state() == TaskState.Stopped) {
          return new Decision("Stopped: runs when started", false);
        }
        if (!(t.spec().runMode() instanceof RunMode.At at)) {
          return new Decision("Ready, create-only: runs when started", false);
        }
        if (now.isBefore(at.when())) {
          return new Decision("Ready: not due, runs at " + at.when(), false);
        }
        String cause = "scheduled time " + at.when() + " reached";
        cycles.begin(t.id(), Action.SCHEDULED_TIME, RunType.Schedule, false, cause);
        return new Decision("started: " + cause, true);
      }
      case Waiting -> {
        Instant due = t.nextRun().orElse(null);
        if (due == null || now.isBefore(due)) {
          return new Decision("Waiting: not due, next run " + due, false);
        }
        String cause = "interval elapsed (due " + due + ")";
        cycles.begin(t.id(), Action.INTERVAL, RunType.Schedule, false, cause);
        return new Decision("started: " + cause, true);
      }
      case Running -> {
        int n = t.lastCycle().map(CycleRecord::number).orElse(0);
        if (cycles.cycle(t.id()) == null) {
          return new Decision("Running cycle " + n + " in another process"
              + t.owner().map(o -> " (pid " + o.pid() + ")").orElse(""), false);
        }
        String skipped = cycles.tickRunning(t, now);
        return skipped == null ? new Decision("Running cycle " + n + " here", false) : new Decision(skipped, true);
      }
      case Expired -> {
        if (Expiry.deleteIfDue(journal, t, now)) {
          return new Decision("deleted: expired " + Migrations.EXPIRED_KEPT.toDays() + " days ago", true);
        }
        return new Decision("Expired: deleted at " + t.deleteAt().map(Object::toString).orElse("-"), false);
      }
      default -> {
        return new Decision(t.state().name(), false);
      }
    }
  }

  /** An InError task: resumed when its owner's stop or crash interrupted it and {@code resume}; else it stays. */
  private static Decision inError(TaskJournal journal, CycleRunner cycles, MigrationTask t, boolean resume)
      throws IOException {
    String error = t.error().orElse("-");
    if (!Recovery.resumable(t)) {
      return new Decision("InError (" + error + "): stays until started", false);
    }
    if (!resume) {
      return new Decision("InError (" + error + "): start resumes it", false);
    }
    CycleRecord last = t.lastCycle().orElseThrow();
    if (last.attempts() >= Recovery.MAX_RESUMED_ATTEMPTS) {
      Recovery.stopResuming(journal, t);
      return new Decision("not resumed: cycle " + last.number() + " was interrupted " + last.attempts()
          + " times; it stays InError until started", true);
    }
    String cause = "cycle " + last.number() + " was interrupted by its owner stopping, crashing or a reboot;"
        + " resumed by the scheduler";
    cycles.begin(t.id(), Action.START, last.type(), false, cause);
    return new Decision("resumed cycle " + last.number() + " (" + last.type() + ", attempt " + (last.attempts() + 1)
        + "): interrupted by its owner stopping, crashing or a reboot", true);
  }
}
