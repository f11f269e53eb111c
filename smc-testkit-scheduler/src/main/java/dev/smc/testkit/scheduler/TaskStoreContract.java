package dev.smc.testkit.scheduler;

import static dev.smc.testkit.scheduler.SampleTasks.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.BusinessStep;
import dev.smc.TaskId;
import dev.smc.TaskState;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TaskStore}: every implementation, smc's and a vendor's, extends this class
 * and implements {@link #newStore()} and {@link #openAgain()}; the inherited tests then prove what
 * the scheduler relies on: every field of a task reads back exactly, from this store and from
 * another one over the same storage (a restart, another process); put replaces whole and
 * atomically; remove takes the log with the task; logs keep their order and text; a task lock is
 * exclusive within a store, across stores and across threads, until closed; a pause request is
 * taken once; batches round trip and their removal leaves their tasks. The concurrent tests are in
 * {@link TaskStoreConcurrencyContract}, which this class extends.
 *
 * <pre>
 * class SqlTaskStoreTest extends TaskStoreContract {
 *   protected TaskStore newStore() { return SqlTaskStore.open(emptySchemaForThisTest()); }
 *   protected TaskStore openAgain() { return SqlTaskStore.open(sameSchema()); }
 * }
 * </pre>
 */
public abstract class TaskStoreContract extends TaskStoreConcurrencyContract {
  // ------------------------------------------------------------------ tasks

  @Test
  void aNewStoreHoldsNothing() throws IOException {
    assertEquals(List.of(), store().tasks());
    assertEquals(Optional.empty(), store().task(new TaskId("t-none")));
    assertEquals(List.of(), store().log(new TaskId("t-none")));
    assertEquals(List.of(), store().batches());
    assertFalse(store().takePauseRequest(new TaskId("t-none")));
  }

  @Test
  void everyFieldOfATaskReadsBackExactlyHereAndFromAnotherStore() throws IOException {
    MigrationTask full = SampleTasks.full(new TaskId("t-full"));
    MigrationTask bare = SampleTasks.bare(new TaskId("t-bare"));
    store().put(full);
    store().put(bare);
    for (TaskStore s : List.of(store(), second())) {
      assertEquals(Optional.of(full), s.task(full.id()), s + ": the task with every field set");
      assertEquals(Optional.of(bare), s.task(bare.id()), s + ": the task with every optional field empty");
      assertEquals(sorted(List.of(full, bare)), sorted(s.tasks()), s + ": tasks()");
    }
  }

  @Test
  void everyStateStepOutcomeAndRunTypeReadsBack() throws IOException {
    List<MigrationTask> all = new ArrayList<>();
    for (TaskState state : TaskState.values()) {
      all.add(SampleTasks.in(new TaskId("t-state-" + state.ordinal()), state));
    }
    for (BusinessStep step : BusinessStep.values()) {
      MigrationTask f = SampleTasks.full(new TaskId("t-step-" + step.ordinal()));
      all.add(new MigrationTask(f.id(), f.spec(), f.state(), Optional.of(step), f.progress(), f.cycles(), f.nextRun(),
          f.created(), f.expires(), f.deleteAt(), f.pinned(), f.transit(), f.owner(), f.cutover(), f.error()));
    }
    for (MigrationTask t : all) {
      store().put(t);
    }
    for (MigrationTask t : all) {
      assertEquals(Optional.of(t), second().task(t.id()), t.state() + " " + t.step());
    }
    assertEquals(sorted(all), sorted(second().tasks()));
  }

  @Test
  void putReplacesTheWholeTask() throws IOException {
    TaskId id = new TaskId("t-replace");
    store().put(SampleTasks.full(id));
    MigrationTask bare = SampleTasks.bare(id);
    store().put(bare);
    assertEquals(Optional.of(bare), store().task(id), "fields of the earlier version survived the put");
    assertEquals(List.of(bare), store().tasks());
    assertEquals(List.of(bare), second().tasks());
  }

  @Test
  void removeTakesTheTaskAndItsLogAndLeavesTheOthers() throws IOException {
    MigrationTask gone = SampleTasks.full(new TaskId("t-gone"));
    MigrationTask kept = SampleTasks.bare(new TaskId("t-kept"));
    store().put(gone);
    store().put(kept);
    store().appendLog(gone.id(), new LogEntry(T, "created", ""));
    store().appendLog(kept.id(), new LogEntry(T, "created", ""));
    store().remove(gone.id());
    assertEquals(Optional.empty(), store().task(gone.id()));
    assertEquals(List.of(), store().log(gone.id()), "remove left the log");
    assertEquals(List.of(kept), store().tasks());
    assertEquals(List.of(new LogEntry(T, "created", "")), store().log(kept.id()));
    assertEquals(List.of(kept), second().tasks(), "another store still sees the removed task");
    store().remove(gone.id()); // removing a missing task is not an error
    store().remove(new TaskId("t-never"));
    assertEquals(List.of(kept), store().tasks());
  }

  // ------------------------------------------------------------------ logs

  @Test
  void aLogKeepsItsEntriesInOrderWithTheirExactText() throws IOException {
    TaskId id = new TaskId("t-log");
    store().put(SampleTasks.bare(id));
    List<LogEntry> entries = List.of(new LogEntry(T, "state Ready -> Running: cycle 1", "start"),
        new LogEntry(T.plusNanos(1), "cycle 1 failed\twith\nnewline \\n", "SOURCE_IO: gone\r\nü"),
        new LogEntry(T.plusNanos(1), "same time, later entry", ""),
        new LogEntry(T.minusSeconds(3600), "a clock set back", "a=b # c"),
        new LogEntry(T.plusSeconds(2), "", ""));
    for (LogEntry e : entries) {
      store().appendLog(id, e);
    }
    assertEquals(entries, store().log(id));
    assertEquals(entries, second().log(id), "another store reads the log");
    assertEquals(List.of(), store().log(new TaskId("t-other")), "a task without a log");
  }

  // ------------------------------------------------------------------ locks

  @Test
  void aTaskLockIsExclusiveWithinAndAcrossStoresUntilClosed() throws IOException {
    TaskId id = new TaskId("t-lock");
    store().put(SampleTasks.bare(id));
    TaskStore.Lock held = store().tryLock(id).orElseThrow(() -> new AssertionError("a free lock was refused"));
    assertTrue(store().tryLock(id).isEmpty(), "the same store took a held lock twice");
    assertTrue(second().tryLock(id).isEmpty(), "another store over the same storage took a held lock");
    held.close();
    try (TaskStore.Lock again = second().tryLock(id).orElseThrow(() -> new AssertionError("a closed lock stayed held"))) {
      assertTrue(store().tryLock(id).isEmpty(), "the lock the other store holds was taken");
    }
    try (TaskStore.Lock third = store().tryLock(id).orElseThrow(() -> new AssertionError("a closed lock stayed held"))) {
      assertTrue(second().tryLock(id).isEmpty());
    }
  }

  @Test
  void closingALockAgainDoesNotReleaseTheLockOfItsNextHolder() throws IOException {
    TaskId id = new TaskId("t-twice");
    TaskStore.Lock first = store().tryLock(id).orElseThrow(() -> new AssertionError("a free lock was refused"));
    first.close();
    try (TaskStore.Lock next = second().tryLock(id).orElseThrow(() -> new AssertionError("a closed lock stayed held"))) {
      first.close(); // a second close, as AutoCloseable asks, changes nothing
      assertTrue(store().tryLock(id).isEmpty(), "closing a lock again released the lock its next holder took");
    }
  }

  @Test
  void locksOfDifferentIdsAreIndependentAndNeedNoStoredTask() throws IOException {
    // a batch's creator locks the batch's id, which names no task
    TaskId batch = new BatchIntent("b-1", List.of()).lockId();
    TaskId task = new TaskId("t-a");
    try (TaskStore.Lock a = store().tryLock(batch).orElseThrow(() -> new AssertionError("the batch's lock"));
        TaskStore.Lock b = second().tryLock(task).orElseThrow(() -> new AssertionError("another id's lock"))) {
      assertTrue(second().tryLock(batch).isEmpty());
      assertTrue(store().tryLock(task).isEmpty());
    }
    assertEquals(List.of(), store().tasks(), "taking a lock stored a task");
  }

  // ------------------------------------------------------------------ pause requests

  @Test
  void aPauseRequestIsTakenOnceAndOnlyForItsTask() throws IOException {
    TaskId a = new TaskId("t-pause-a");
    TaskId b = new TaskId("t-pause-b");
    assertFalse(store().takePauseRequest(a), "a request nobody made");
    store().requestPause(a);
    store().requestPause(a); // asked twice before the runner looked: still one request
    assertFalse(store().takePauseRequest(b), "a request for another task was taken");
    assertTrue(second().takePauseRequest(a), "another store (the runner's process) does not see the request");
    assertFalse(store().takePauseRequest(a), "a taken request was taken again");
    assertFalse(second().takePauseRequest(a));
    second().requestPause(b);
    assertTrue(store().takePauseRequest(b));
  }

  // ------------------------------------------------------------------ batches

  @Test
  void batchesReadBackAreReplacedByIdAndTheirRemovalLeavesTheirTasks() throws IOException {
    BatchIntent one = new BatchIntent("b-one", List.of(new TaskId("t-1"), new TaskId("t-2"), new TaskId("t-3")));
    BatchIntent empty = new BatchIntent("b_empty", List.of());
    store().putBatch(one);
    store().putBatch(empty);
    assertEquals(sortedBatches(List.of(one, empty)), sortedBatches(second().batches()));
    BatchIntent grown = new BatchIntent("b-one", List.of(new TaskId("t-1"), new TaskId("t-2"), new TaskId("t-3"),
        new TaskId("t-4")));
    store().putBatch(grown);
    assertEquals(sortedBatches(List.of(grown, empty)), sortedBatches(store().batches()), "a batch of the same id");
    MigrationTask t1 = SampleTasks.bare(new TaskId("t-1"));
    store().put(t1);
    store().removeBatch("b-one");
    assertEquals(List.of(empty), store().batches());
    assertEquals(List.of(empty), second().batches());
    assertEquals(List.of(t1), store().tasks(), "removing a batch removed its tasks");
    store().removeBatch("b-one"); // removing a missing one is not an error
    store().removeBatch("b-never");
    store().removeBatch("b_empty");
    assertEquals(List.of(), store().batches());
  }

  private static List<BatchIntent> sortedBatches(List<BatchIntent> bs) {
    return bs.stream().sorted(Comparator.comparing(BatchIntent::id)).toList();
  }
}
