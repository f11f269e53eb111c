package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.RunMode;
import dev.smc.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a task says about its next cycle: a next run only when the scheduler will run it by itself,
 * and why each cycle ran (the first cycle of run mode now is {@link RunType#RunNow}).
 */
class NextRunTest {
  @TempDir
  Path tmp;

  @Test
  void onlyATaskTheSchedulerWillRunHasANextRun() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Instant t0 = f.clock.instant();
      assertEquals(Optional.empty(), m.create(f.incremental("later", f.source()).build()).nextRun(),
          "Ready, create-only: nothing runs it");
      Instant at = t0.plus(Duration.ofHours(2));
      assertEquals(Optional.of(at), m.create(f.spec("at", f.source()).runMode(RunMode.at(at)).build()).nextRun());

      MigrationTask t = m.create(f.incremental("inc", f.source()).runMode(RunMode.now()).build());
      assertEquals(TaskState.Waiting, t.state());
      assertEquals(Optional.of(t0.plus(Duration.ofHours(1))), t.nextRun());

      t = m.pause("inc");
      assertEquals(TaskState.Stopped, t.state());
      assertEquals(Optional.empty(), t.nextRun(), "a Stopped task runs only when started again");
      assertEquals(Optional.empty(), new FileTaskStore(f.home).task(t.id()).orElseThrow().nextRun(),
          "the store says the same");
      f.clock.advance(Duration.ofHours(5));
      m.tick();
      assertEquals(1, m.task("inc").cycles().size(), "no tick runs a Stopped task");

      Instant restart = f.clock.advance(Duration.ofMinutes(10));
      t = m.start("inc");
      assertEquals(TaskState.Waiting, t.state());
      assertEquals(Optional.of(restart.plus(Duration.ofHours(1))), t.nextRun(), "the interval counts from the start");

      f.engine.failNext.set(1);
      t = m.sync("inc");
      assertEquals(TaskState.InError, t.state());
      assertEquals(Optional.empty(), t.nextRun(), "an InError task runs only when started again");

      f.clock.advance(Duration.ofDays(31));
      m.tick();
      assertEquals(TaskState.Expired, m.task("inc").state());
      assertEquals(Optional.empty(), m.task("inc").nextRun());
      assertTrue(m.task("at").nextRun().isEmpty(), "the scheduled one-time task ran and Finished: "
          + m.task("at").state());
    }
  }

  @Test
  void nextRunsAreWholeSecondsAsTablesAndLogsShowThem() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Instant t0 = f.clock.advance(Duration.ofNanos(858_261_709));
      MigrationTask t = m.create(f.incremental("inc", f.source()).runMode(RunMode.now()).build());
      assertEquals(Optional.of(t0.plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS)), t.nextRun());
      f.clock.advance(Duration.ofMillis(1500));
      t = m.sync("inc");
      assertEquals(0, t.nextRun().orElseThrow().getNano(), t.nextRun().toString());
      assertTrue(m.logs("inc").stream().noneMatch(e -> e.event().contains(".858")), m.logs("inc").toString());
    }
  }

  @Test
  void theFirstCycleOfRunModeNowIsRunNowAndLaterOnesSayWhyTheyRan() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      m.create(f.incremental("one", f.source()).runMode(RunMode.now()).build());
      m.createAll(List.of(f.incremental("two", f.source()).runMode(RunMode.now()).build(),
          f.spec("three", f.source()).runMode(RunMode.now()).build()));
      for (String name : List.of("one", "two", "three")) {
        assertEquals(List.of(RunType.RunNow), types(m.task(name)), name);
      }
      m.sync("one");
      f.clock.advance(Duration.ofHours(1));
      m.tick();
      assertEquals(List.of(RunType.RunNow, RunType.Manual, RunType.Schedule), types(m.task("one")));
      assertEquals(List.of(RunType.RunNow, RunType.Schedule), types(m.task("two")));
      assertTrue(m.logs("three").stream().anyMatch(e -> e.event().contains("cycle 1 (RunNow)")),
          m.logs("three").toString());
    }
  }

  private static List<RunType> types(MigrationTask t) {
    return t.cycles().stream().map(CycleRecord::type).toList();
  }
}
