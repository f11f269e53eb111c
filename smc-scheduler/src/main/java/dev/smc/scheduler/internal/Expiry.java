package dev.smc.scheduler.internal;

import dev.smc.TaskState;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.time.Instant;

/**
 * The validity policy: a task whose validity ends while Ready, Stopped or InError becomes Expired
 * (its transit instance released) and is deleted {@link Migrations#EXPIRED_KEPT} later. Stateless.
 */
public final class Expiry {
  private Expiry() {}

  /** Expires {@code t} if its validity ended by {@code now}; returns whether it did. */
  public static boolean expireIfDue(TaskJournal journal, MigrationTask t, Instant now) throws IOException {
    if (now.isBefore(t.expires())) {
      return false;
    }
    Draft d = new Draft(t);
    d.state = Action.VALIDITY_ENDS.next(t.name(), t.state(), t.spec().incremental(), false);
    d.deleteAt = now.plus(Migrations.EXPIRED_KEPT);
    d.nextRun = null;
    journal.releaseTransit(d, "validity ended");
    journal.save(d, t.state(), "expired; deleted at " + d.deleteAt, "validity ended at " + t.expires());
    return true;
  }

  /** Deletes an Expired task whose time to be deleted came by {@code now}; returns whether it did. */
  public static boolean deleteIfDue(TaskJournal journal, MigrationTask t, Instant now) throws IOException {
    if (t.deleteAt().isEmpty() || now.isBefore(t.deleteAt().get())) {
      return false;
    }
    Draft d = new Draft(t);
    try (TaskStore.Lock l = journal.store().tryLock(t.id()).orElseThrow(() -> TaskJournal.locked(t))) {
      d.state = Action.DELETE.next(t.name(), d.state, d.spec.incremental(), false);
      journal.save(d, TaskState.Expired, "deleting", "expired " + Migrations.EXPIRED_KEPT.toDays() + " days ago");
      journal.finishDelete(d, "expired task deleted");
    }
    return true;
  }
}
