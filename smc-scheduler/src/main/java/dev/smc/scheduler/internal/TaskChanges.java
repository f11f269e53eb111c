package dev.smc.scheduler.internal;

import dev.smc.ImageRef;
import dev.smc.ErrorCode;
import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.RunMode;
import dev.smc.SyncPolicy;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.SmcException;
import dev.smc.TaskState;
import dev.smc.internal.Checks;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.BatchError;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Modification;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.paths.SourcePaths;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user's changes to a task that run no cycle: create (up to Ready), modify, delete, pin, and
 * cut over without a final cycle. Each checks {@link Action}'s table, stores the change and logs
 * it through the {@link TaskJournal}. Stateless; callers hold the scheduler's lock.
 */
public final class TaskChanges {
  private TaskChanges() {}

  /** The task a create returned: a new one, or the one created earlier with the same client token. */
  public record Created(TaskId id, boolean isNew) {}

  /**
   * Stores a new Ready task for {@code spec}, or finds the task created with its client token;
   * {@code repository} is the scheduler's repository folder, if it has one here (see {@link #checkSource}).
   */
  public static Created create(TaskJournal journal, TaskSpec spec, Instant now, Optional<Path> repository)
      throws IOException {
    List<MigrationTask> all = journal.store().tasks();
    if (spec.clientToken().isPresent()) {
      for (MigrationTask t : all) {
        if (t.spec().clientToken().equals(spec.clientToken())) {
          journal.log(t.id(), "create repeated with the same client token: returned this task", "create");
          return new Created(t.id(), false);
        }
      }
    }
    Checks c = new Checks();
    c.addAll(spec.runTimeErrors(now));
    checkSource(c, spec, repository);
    c.throwIfAny();
    TaskRules.checkNew(all, spec);
    TaskId id = TaskRules.newId(all);
    Draft d = Draft.created(id, spec, now);
    if (spec.runMode() instanceof RunMode.At at) {
      d.nextRun = at.when();
    }
    journal.store().put(d.build());
    journal.log(id, "created: state Ready, run mode " + spec.runMode() + ", expires " + d.expires, "create");
    return new Created(id, true);
  }

  /**
   * Adds an error for a source that is offline, or that no cycle could copy
   * ({@link LocalEngine#problem}: a FIFO, a device that is no disk, procfs, an empty file, the
   * repository folder {@code repository} or a folder inside it).
   */
  private static void checkSource(Checks c, TaskSpec spec, Optional<Path> repository) throws IOException {
    if (!LocalEngine.online(spec.source())) {
      c.add("source", spec.source(), "an existing folder, disk image file or block device (the source must be online)");
      return;
    }
    LocalEngine.problem(spec.source(), repository).ifPresent(why -> c.add("source", spec.source(), why + "; allowed "
        + SourcePaths.ALLOWED + ", outside the repository"));
  }

  /**
   * What would stop {@link #createAll}: for each spec, a run time out of its window, a source that
   * is offline, and every {@link TaskRules#conflicts conflict} with {@code all} or an earlier spec.
   */
  public static List<BatchError> checkAll(List<MigrationTask> all, List<TaskSpec> specs, Instant now,
      Optional<Path> repository) throws IOException {
    List<BatchError> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      TaskSpec spec = specs.get(i);
      Checks c = new Checks();
      c.addAll(spec.runTimeErrors(now));
      checkSource(c, spec, repository);
      List<FieldError> errors = new ArrayList<>(c.errors());
      errors.addAll(TaskRules.conflicts(all, specs.subList(0, i), spec));
      for (FieldError e : errors) {
        out.add(new BatchError(i, e));
      }
    }
    return out;
  }

  /**
   * Stores a Ready task for each spec, all or none: the batch is recorded in the store first, then
   * its tasks are stored, then the record is removed; a batch recorded when its creator is gone is
   * undone by {@link Recovery#abortBatches}. Returns the new ids, in the order of {@code specs}.
   *
   * @throws InvalidSpecException naming {@code specs[i].field} for every {@link #checkAll} error
   */
  public static List<TaskId> createAll(TaskJournal journal, List<TaskSpec> specs, Instant now,
      Optional<Path> repository) throws IOException {
    if (specs.isEmpty()) {
      return List.of();
    }
    TaskStore store = journal.store();
    List<MigrationTask> all = store.tasks();
    List<BatchError> errors = checkAll(all, specs, now, repository);
    if (!errors.isEmpty()) {
      throw new InvalidSpecException(errors.stream().map(e -> new FieldError("specs[" + e.index() + "]."
          + e.error().field(), e.error().value(), e.error().allowed())).toList());
    }
    List<TaskId> ids = new ArrayList<>();
    while (ids.size() < specs.size()) {
      TaskId id = TaskRules.newId(all);
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    BatchIntent batch = new BatchIntent("b" + TaskRules.newId(all).value(), ids);
    Optional<TaskStore.Lock> lock = store.tryLock(batch.lockId());
    if (lock.isEmpty()) {
      throw new SmcException(ErrorCode.LOCKED, "batch " + batch.id() + " is locked by another creator; try again");
    }
    try (TaskStore.Lock held = lock.get()) {
      store.putBatch(batch);
      try {
        for (int i = 0; i < specs.size(); i++) {
          TaskSpec spec = specs.get(i);
          Draft d = Draft.created(ids.get(i), spec, now);
          if (spec.runMode() instanceof RunMode.At at) {
            d.nextRun = at.when();
          }
          store.put(d.build());
          journal.log(d.id, "created in batch " + batch.id() + " (" + (i + 1) + " of " + specs.size()
              + "): state Ready, run mode " + spec.runMode() + ", expires " + d.expires, "create");
        }
        store.removeBatch(batch.id());
      } catch (IOException | RuntimeException e) {
        // undo now; should that fail too, the batch record stays and the next recovery removes its tasks
        try {
          for (TaskId id : ids) {
            store.remove(id);
          }
          store.removeBatch(batch.id());
        } catch (IOException | RuntimeException undo) {
          e.addSuppressed(undo);
        }
        throw e;
      }
    }
    return ids;
  }

  /** Applies {@code m} to {@code t}: name and description in any state, the sync policy in Ready or Waiting. */
  public static MigrationTask modify(TaskJournal journal, MigrationTask t, Modification m) throws IOException {
    String name = t.name();
    if (m.name().isPresent() || m.description().isPresent()) {
      Action.MODIFY_NAME.check(name, t.state());
    }
    if (m.policy()) {
      Action.MODIFY_POLICY.check(name, t.state());
      if (!t.spec().incremental()) {
        throw InvalidSpecException.of(m.interval().isPresent() ? "interval" : "maxImages", "set",
            "only for an incremental task; task '" + name + "' is one-time");
      }
    }
    TaskSpec.Builder b = t.spec().toBuilder();
    m.name().ifPresent(b::name);
    m.description().ifPresent(b::description);
    if (m.policy()) {
      SyncPolicy p = t.spec().syncPolicy().orElseThrow();
      b.incremental(m.interval().orElse(p.interval()), m.maxImages().orElse(p.maxImages()));
    }
    TaskSpec spec = b.build();
    if (!spec.name().equals(name)) {
      for (MigrationTask o : journal.store().tasks()) {
        if (!o.id().equals(t.id())) {
          TaskRules.checkUnique(o, spec.name(), null);
        }
      }
    }
    Draft d = new Draft(t);
    d.spec = spec;
    Duration oldInterval = t.spec().syncPolicy().map(SyncPolicy::interval).orElse(null);
    Duration newInterval = spec.syncPolicy().map(SyncPolicy::interval).orElse(null);
    if (d.nextRun != null && oldInterval != null && !oldInterval.equals(newInterval) && d.state == TaskState.Waiting) {
      d.nextRun = d.nextRun.minus(oldInterval).plus(newInterval);
    }
    journal.save(d, d.state, "modified: " + TaskRules.describeChange(t.spec(), spec), "modify");
    return d.build();
  }

  /** Drops the excludes of a Waiting task that is about to be cut over with a final cycle. */
  public static void dropExcludes(TaskJournal journal, MigrationTask t) throws IOException {
    Action.CUTOVER.check(t.name(), t.state());
    if (t.spec().excludes().isEmpty()) {
      return;
    }
    Draft d = new Draft(t);
    d.spec = t.spec().toBuilder().excludes(java.util.List.of()).build();
    journal.save(d, d.state, "excludes dropped for the final cycle: " + t.spec().excludes(), "cutover");
  }

  /** Deletes {@code t} (any state but Running) through Deleting; its images stay in the repository. */
  public static void delete(TaskJournal journal, MigrationTask t) throws IOException {
    Action.DELETE.check(t.name(), t.state());
    TaskStore store = journal.store();
    try (TaskStore.Lock l = store.tryLock(t.id()).orElseThrow(() -> TaskJournal.locked(t))) {
      Draft d = new Draft(store.task(t.id()).orElseThrow());
      TaskState before = d.state;
      d.state = Action.DELETE.next(t.name(), d.state, d.spec.incremental(), false);
      journal.save(d, before, "deleting", "delete");
      journal.finishDelete(d, "delete");
    }
  }

  /** Pins or unpins image {@code cycle} of {@code t} in the repository and records it. */
  public static MigrationTask pin(TaskJournal journal, Repository repo, MigrationTask t, int cycle, boolean pinned)
      throws IOException {
    Draft d = new Draft(t);
    ImageRef ref = new ImageRef(d.spec.imageName(), cycle);
    repo.pin(ref, pinned);
    d.pinned.remove(ref);
    if (pinned) {
      d.pinned.add(ref);
    }
    journal.save(d, d.state, (pinned ? "pinned " : "unpinned ") + ref, "pin");
    return d.build();
  }

  /** Cuts a Waiting task over without a final cycle: Finished, transit released. */
  public static MigrationTask cutoverNow(TaskJournal journal, MigrationTask t) throws IOException {
    Draft d = new Draft(t);
    TaskState before = d.state;
    d.state = Action.CUTOVER.next(t.name(), d.state, d.spec.incremental(), false);
    d.nextRun = null;
    journal.releaseTransit(d, "cut over");
    journal.save(d, before, "cut over without a final cycle", "cutover");
    return d.build();
  }

  /** Pauses a Waiting task between cycles: Stopped. */
  public static MigrationTask pauseWaiting(TaskJournal journal, MigrationTask t) throws IOException {
    Draft d = new Draft(t);
    d.state = Action.PAUSE.next(t.name(), d.state, d.spec.incremental(), false);
    journal.save(d, TaskState.Waiting, "paused between cycles", "pause");
    return d.build();
  }
}
