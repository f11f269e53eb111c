package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TaskId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecordingListenerTest {
  private static final TaskId TASK = new TaskId("web");

  private static CycleReport report(int cycle) {
    return new CycleReport(new ImageRef("web", cycle), CycleType.FULL, 1, 2, 3, 4, 5, 6, 7, Duration.ZERO, List.of());
  }

  @Test
  void recordsEventsInOrderAndFiltersByType() {
    RecordingListener l = new RecordingListener();
    l.cycleStarted(TASK, 1, CycleType.FULL);
    l.cycleFinished(TASK, 1, report(1));
    l.cycleStarted(TASK, 2, CycleType.INCREMENTAL);
    SmcException boom = new SmcException(ErrorCode.STORE_IO, "boom");
    l.cycleFailed(TASK, 2, boom);
    assertEquals(List.of(new RecordingListener.CycleStarted(TASK, 1, CycleType.FULL),
        new RecordingListener.CycleFinished(TASK, 1, report(1)),
        new RecordingListener.CycleStarted(TASK, 2, CycleType.INCREMENTAL),
        new RecordingListener.CycleFailed(TASK, 2, boom)), l.events());
    assertEquals(2, l.events(RecordingListener.CycleStarted.class).size());
    assertEquals(List.of(), l.cycleContractViolations());
    l.clear();
    assertEquals(List.of(), l.events());
  }

  @Test
  void reportsCyclesThatNeverEndOrEndWithoutStarting() {
    RecordingListener l = new RecordingListener();
    l.cycleStarted(TASK, 1, CycleType.FULL);
    l.cycleFinished(TASK, 2, report(2));
    assertEquals(2, l.cycleContractViolations().size(), l.cycleContractViolations().toString());
  }

  @Test
  void keepsEveryEventFromManyThreads() throws InterruptedException {
    RecordingListener l = new RecordingListener();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      int task = t;
      pool.execute(() -> {
        for (int i = 1; i <= 1000; i++) {
          l.cycleStarted(new TaskId("t" + task), i, CycleType.FULL);
          l.cycleFinished(new TaskId("t" + task), i, report(i));
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    assertEquals(8000, l.events().size());
    assertEquals(List.of(), l.cycleContractViolations());
  }
}
