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
 * cycle Interrupted), for {@code start} to resume; a Deleting one is deleted. A batch of tasks whose
 * creator died midway is undone. Stateless.
 */
public final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  private Recovery() {}

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
        + Migrations.INTERRUPTED + ": its owner is gone; start resumes it", "owner " + owner + " holds no lock");
  }
}
