package dev.smc.scheduler.internal;

import dev.smc.TaskId;
import dev.smc.TaskState;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds tasks a dead process left behind: a task stored as Running or Deleting whose store lock
 * nobody holds. A Running one becomes InError with reason {@value Migrations#INTERRUPTED} (its last
 * cycle Interrupted), for {@code start} (or a scheduler that resumes, {@link #resumable}) to resume; a
 * Deleting one is deleted. A batch of tasks whose creator died midway is undone. Stateless.
 */
public final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  /**
   * A cycle that has run this many times, each interrupted, is resumed no more by itself: what
   * stops it may be the cycle itself (a process killed for its memory, a machine that reboots
   * when it runs), and a service restarted after each crash would loop.
   */
  public static final int MAX_RESUMED_ATTEMPTS = 10;

  private Recovery() {}

  /**
   * Whether {@code t} is InError only because the owner of its running cycle went away (it was shut
   * down, it crashed, or the machine rebooted), so that running the cycle again continues it.
   * A task whose cycle failed by itself (a source unreadable, an integrity error, ...) is not.
   */
  public static boolean resumable(MigrationTask t) {
    return t.state() == TaskState.InError && t.error().equals(Optional.of(Migrations.INTERRUPTED))
        && t.lastCycle().map(c -> c.outcome() == CycleRecord.Outcome.Interrupted).orElse(false);
  }

  /**
   * Marks a resumable task as resumed no more ({@link #MAX_RESUMED_ATTEMPTS}): its error says so and
   * it stays InError until started. Call it under the scheduler's lock.
   */
  public static void stopResuming(TaskJournal journal, MigrationTask t) throws IOException {
    Optional<TaskStore.Lock> l = journal.store().tryLock(t.id());
    if (l.isEmpty()) {
      return; // another process acts on it right now
    }
    try (TaskStore.Lock held = l.get()) {
      Draft d = new Draft(journal.store().task(t.id()).orElseThrow());
      if (!resumable(d.build())) {
        return;
      }
      int attempts = d.last().map(CycleRecord::attempts).orElse(0);
      d.error = Migrations.INTERRUPTED + " " + attempts + " times; not resumed by itself (start retries)";
      journal.save(d, d.state, "cycle " + d.last().map(CycleRecord::number).orElse(0) + " not resumed: interrupted "
          + attempts + " times", "at most " + MAX_RESUMED_ATTEMPTS + " attempts are resumed by the scheduler");
      LOG.warn("task '{}': cycle interrupted {} times; not resumed by itself", d.spec.name(), attempts);
    }
  }

  /**
   * Recovers every abandoned task of the journal's store; call it under the scheduler's lock.
   *
   * @param runsHere whether a task's cycle runs in this scheduler (then it is not abandoned)
   */
  public static void recover(TaskJournal journal, Predicate<TaskId> runsHere) throws IOException {
    TaskStore store = journal.store();
    for (MigrationTask t : store.tasks()) {
      if ((t.state() != TaskState.Running && t.state() != TaskState.Deleting) || runsHere.test(t.id())) {
        continue;
      }
      Optional<TaskStore.Lock> l = store.tryLock(t.id());
      if (l.isEmpty()) {
        continue; // its owner lives
      }
      try (TaskStore.Lock held = l.get()) {
        Draft d = new Draft(store.task(t.id()).orElseThrow());
        if (d.state == TaskState.Deleting) {
          journal.finishDelete(d, "deletion interrupted by a crash, completed");
          continue;
        }
        if (d.state != TaskState.Running) {
          continue;
        }
        interrupted(journal, t, d);
      }
    }
  }

  /**
   * Undoes every batch a dead creator left recorded (see {@link TaskChanges#createAll}): removes
   * the tasks it lists, then its record, so a batch leaves all of its tasks or none. Call it under
   * the scheduler's lock.
   */
  public static void abortBatches(TaskJournal journal) throws IOException {
    TaskStore store = journal.store();
    for (BatchIntent b : store.batches()) {
      Optional<TaskStore.Lock> l = store.tryLock(b.lockId());
      if (l.isEmpty()) {
        continue; // its creator lives
      }
      try (TaskStore.Lock held = l.get()) {
        // the creator removes the record before it lets the lock go: still there now means cut short
        if (store.batches().stream().noneMatch(x -> x.id().equals(b.id()))) {
          continue;
        }
        for (TaskId id : b.tasks()) {
          store.remove(id);
        }
        store.removeBatch(b.id());
        LOG.warn("batch {} was cut short by a crash: its {} tasks removed ({})", b.id(), b.tasks().size(), b.tasks());
      }
    }
  }

  private static void interrupted(TaskJournal journal, MigrationTask t, Draft d) throws IOException {
    String owner = t.owner().map(o -> "pid " + o.pid() + " (instance " + o.instance() + ", last heartbeat "
        + o.heartbeat() + ")").orElse("unknown");
    d.state = Action.CYCLE_FAILS.next(d.spec.name(), d.state, d.spec.incremental(), false);
    d.error = Migrations.INTERRUPTED;
    d.step = null;
    d.owner = null;
    d.last().ifPresent(r -> d.setLast(new CycleRecord(r.number(), r.type(), r.start(),
        Optional.of(journal.clock().instant()), Optional.empty(), r.bytesScanned(), r.bytesSent(),
        CycleRecord.Outcome.Interrupted, Optional.of(Migrations.INTERRUPTED), r.attempts())));
    journal.save(d, TaskState.Running, "cycle " + d.last().map(CycleRecord::number).orElse(0) + " "
        + Migrations.INTERRUPTED + ": its owner is gone; start resumes it, as does a scheduler that resumes interrupted cycles", "owner " + owner + " holds no lock");
  }
}
