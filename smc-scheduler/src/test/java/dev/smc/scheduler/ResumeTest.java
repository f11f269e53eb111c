package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.RunMode;
import dev.smc.TaskState;
import dev.smc.scheduler.internal.Draft;
import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service path ({@link Migrations.Builder#resumeInterrupted}): a cycle interrupted because its
 * owner went away (shut down, killed, rebooted) is resumed by the next tick, as the same cycle; a
 * cycle that failed by itself stays InError; a scheduler that is no service resumes nothing.
 */
class ResumeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  @Test
  void aRunningTaskWhoseOwnerProcessWasKilledIsResumedByTheServicesFirstTick() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "hello\n");
    Files.write(src.resolve("b.bin"), new byte[300_000]);
    CrashingOwner.crashWhileSyncing(home, src);
    assertEquals(TaskState.Running, new FileTaskStore(home).tasks().get(0).state(), "the dead owner left it Running");

    try (Migrations m = Migrations.builder().home(home).executor(Runnable::run).resumeInterrupted(true).build()) {
      assertEquals(TaskState.InError, m.task("crash").state(), "opening found the owner gone");
      m.tick();
      MigrationTask t = m.task("crash");
      assertEquals(TaskState.Finished, t.state());
      assertEquals(1, t.cycles().size(), "the interrupted cycle was continued, not a new one made");
      CycleRecord c = t.lastCycle().orElseThrow();
      assertEquals(List.of(1, 2), List.of(c.number(), c.attempts()));
      assertEquals(RunType.RunNow, c.type(), "a resumed cycle keeps why it ran");
      assertEquals(CycleRecord.Outcome.Succeeded, c.outcome());
      assertTrue(m.logs("crash").stream().anyMatch(e -> e.event().contains("cycle 1 resumed (attempt 2")
          && e.cause().contains("interrupted by its owner stopping, crashing or a reboot")), m.logs("crash").toString());
    }
    try (Repository repo = Repository.open(Backends.open(home.resolve("repo").toString()))) {
      Path target = tmp.resolve("restored");
      new FileRestore(1).restore(repo, new ImageRef("crash-img", 1), target);
      assertEquals(Fixture.contents(src), Fixture.contents(target));
    }
  }

  @Test
  void aCycleCutShortByItsSchedulerClosingIsResumedByTheNextServiceAndARealErrorStaysInError() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations first = f.open();
      f.engine.failNext.set(1);
      first.create(f.spec("bad", f.source()).runMode(RunMode.now()).build());
      assertEquals(TaskState.InError, first.awaitCycle("bad", WAIT).state());
      f.engine.close();
      first.create(f.incremental("inc", f.source()).runMode(RunMode.now()).build());
      f.engine.awaitEntered(2);
      first.close(); // what serve does on SIGTERM
      assertEquals(Optional.of(Migrations.INTERRUPTED), new FileTaskStore(f.home).tasks().stream()
          .filter(t -> t.name().equals("inc")).findFirst().orElseThrow().error());
      f.engine.open();

      Migrations plain = f.open(Migrations.builder().executor(Runnable::run));
      plain.tick();
      assertEquals(TaskState.InError, plain.task("inc").state(), "a scheduler that is no service resumes nothing");
      plain.close();

      Migrations service = f.open(Migrations.builder().executor(Runnable::run).resumeInterrupted(true));
      service.tick();
      MigrationTask inc = service.task("inc");
      assertEquals(TaskState.Waiting, inc.state());
      assertEquals(1, inc.cycles().size());
      CycleRecord c = inc.lastCycle().orElseThrow();
      assertEquals(List.of(1, 2, RunType.RunNow, CycleRecord.Outcome.Succeeded),
          List.of(c.number(), c.attempts(), c.type(), c.outcome()));
      assertTrue(f.restore(new ImageRef("inc-img", 1)).containsKey("etc/counter"));

      MigrationTask bad = service.task("bad");
      assertEquals(TaskState.InError, bad.state(), "a cycle that failed by itself is not resumed");
      assertTrue(bad.error().orElseThrow().contains("injected read failure"), bad.error().toString());
      assertEquals(1, bad.lastCycle().orElseThrow().attempts());
      service.tick();
      assertEquals(3, f.engine.runs.get(), "bad once, inc twice");
      service.delete("inc");
      service.delete("bad");
      f.assertNoTransit();
    }
  }

  @Test
  void aCycleInterruptedTenTimesIsNotResumedByItselfAgain() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      interrupted(f, m.create(f.spec("loop", f.source()).build()), 10);
      interrupted(f, m.create(f.spec("once", f.source()).build()), 9);
      m.close();

      Migrations service = f.open(Migrations.builder().executor(Runnable::run).resumeInterrupted(true));
      service.tick();
      assertEquals(TaskState.Finished, service.task("once").state(), "nine interruptions: resumed");
      assertEquals(10, service.task("once").lastCycle().orElseThrow().attempts());
      MigrationTask loop = service.task("loop");
      assertEquals(TaskState.InError, loop.state());
      assertEquals(Optional.of("interrupted 10 times; not resumed by itself (start retries)"), loop.error());
      service.tick();
      assertEquals(1, service.logs("loop").stream().filter(e -> e.event().contains("not resumed")).count(),
          service.logs("loop").toString());
      assertEquals(1, f.engine.runs.get(), "only 'once' ran");
      assertEquals(TaskState.Finished, service.start("loop").state(), "start still retries it");
    }
  }

  /** Stores {@code t} as a dead owner leaves it after {@code attempts} runs of cycle 1, each interrupted. */
  private static void interrupted(Fixture f, MigrationTask t, int attempts) throws Exception {
    Draft d = new Draft(t);
    d.state = TaskState.InError;
    d.error = Migrations.INTERRUPTED;
    d.cycles.add(new CycleRecord(1, RunType.Manual, f.clock.instant(), Optional.of(f.clock.instant()),
        Optional.empty(), 0, 0, CycleRecord.Outcome.Interrupted, Optional.of(Migrations.INTERRUPTED), attempts));
    new FileTaskStore(f.home).put(d.build());
  }
}
