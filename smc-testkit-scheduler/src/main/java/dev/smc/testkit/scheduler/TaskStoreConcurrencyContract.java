package dev.smc.testkit.scheduler;

import static dev.smc.testkit.scheduler.SampleTasks.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.TaskId;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@link TaskStore} promises to several threads and to several stores over one storage:
 * a reader never sees a mix of two versions of a task, puts and appends of many threads all land,
 * and of many threads (in two stores) asking for one lock exactly one gets it. Extend
 * {@link TaskStoreContract}, which holds these tests and the rest of the contract; this class holds
 * the store of the running test.
 */
public abstract class TaskStoreConcurrencyContract {
  private TaskStore store;
  private TaskStore second;

  /** A new, empty store. Called once before each test; the test closes it. */
  protected abstract TaskStore newStore() throws IOException;

  /**
   * Another store over the storage of the one {@link #newStore()} just gave, as a restarted or a
   * second process opens it. A store shared by reference ({@code InMemoryTaskStore}, whose sharers
   * behave like processes sharing a folder) returns that same instance. Called at most once a test,
   * after {@link #newStore()}; the test closes it (once, when it is the same instance).
   */
  protected abstract TaskStore openAgain() throws IOException;

  /** The store of the running test. */
  protected final TaskStore store() {
    return store;
  }

  /** The second store over the same storage, opened on first use. */
  protected final TaskStore second() throws IOException {
    if (second == null) {
      second = openAgain();
    }
    return second;
  }

  @BeforeEach
  final void openStoreUnderTest() throws IOException {
    store = newStore();
  }

  @AfterEach
  final void closeStoresUnderTest() throws IOException {
    try {
      if (second != null && second != store) {
        second.close();
      }
    } finally {
      store.close();
    }
  }

  static List<MigrationTask> sorted(List<MigrationTask> ts) {
    return ts.stream().sorted(Comparator.comparing(t -> t.id().value())).toList();
  }

  @Test
  @Timeout(120)
  void aReaderSeesTheOldOrTheNewTaskNeverAMix() throws Exception {
    TaskId id = new TaskId("t-atomic");
    MigrationTask full = SampleTasks.full(id);
    MigrationTask bare = SampleTasks.bare(id);
    store.put(full);
    TaskStore other = second();
    AtomicBoolean writing = new AtomicBoolean(true);
    CyclicBarrier start = new CyclicBarrier(3);
    dev.smc.testkit.Concurrently.run(3, i -> {
      start.await(30, TimeUnit.SECONDS);
      if (i == 0) {
        try {
          for (int k = 0; k < 200; k++) {
            store.put(k % 2 == 0 ? bare : full);
          }
        } finally {
          writing.set(false);
        }
        return null;
      }
      TaskStore reader = i == 1 ? store : other;
      for (int reads = 0; writing.get() || reads < 20; reads++) {
        Optional<MigrationTask> got = reader.task(id);
        if (got.isEmpty() || !(got.get().equals(full) || got.get().equals(bare))) {
          fail("a reader saw " + got + " while the task was replaced");
        }
        List<MigrationTask> listed = reader.tasks();
        if (listed.size() != 1 || !(listed.get(0).equals(full) || listed.get(0).equals(bare))) {
          fail("tasks() gave " + listed + " while the task was replaced");
        }
      }
      return null;
    });
    assertEquals(Optional.of(full), store.task(id), "the last put");
  }

  @Test
  @Timeout(120)
  void putsAndAppendsOfSeveralThreadsAllLand() throws Exception {
    int threads = 4;
    int each = 10;
    TaskId logged = new TaskId("t-shared-log");
    dev.smc.testkit.Concurrently.run(threads, i -> {
      for (int k = 0; k < each; k++) {
        store.put(SampleTasks.full(new TaskId("t-" + i + "-" + k)));
        store.appendLog(logged, new LogEntry(T.plusSeconds(k), "thread " + i + " entry " + k, ""));
      }
      return null;
    });
    List<MigrationTask> want = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      for (int k = 0; k < each; k++) {
        want.add(SampleTasks.full(new TaskId("t-" + i + "-" + k)));
      }
    }
    assertEquals(sorted(want), sorted(second().tasks()));
    List<LogEntry> log = store.log(logged);
    assertEquals(threads * each, log.size(), "log entries appended by " + threads + " threads");
    for (int i = 0; i < threads; i++) {
      String mine = "thread " + i + " ";
      List<String> order = log.stream().map(LogEntry::event).filter(e -> e.startsWith(mine)).toList();
      List<String> expected = new ArrayList<>();
      for (int k = 0; k < each; k++) {
        expected.add(mine + "entry " + k);
      }
      assertEquals(expected, order, "one thread's entries, in the order it appended them");
    }
  }

  @Test
  @Timeout(120)
  void ofManyThreadsInTwoStoresAskingForOneLockExactlyOneGetsIt() throws Exception {
    TaskStore other = second();
    for (int round = 0; round < 10; round++) {
      TaskId id = new TaskId("t-race-" + round);
      CyclicBarrier start = new CyclicBarrier(6);
      List<Optional<TaskStore.Lock>> got = dev.smc.testkit.Concurrently.run(6, i -> {
        start.await(30, TimeUnit.SECONDS);
        return (i % 2 == 0 ? store : other).tryLock(id);
      });
      List<TaskStore.Lock> held = got.stream().flatMap(Optional::stream).toList();
      for (TaskStore.Lock l : held) {
        l.close();
      }
      assertEquals(1, held.size(), "threads that took the lock of " + id);
    }
  }
}
