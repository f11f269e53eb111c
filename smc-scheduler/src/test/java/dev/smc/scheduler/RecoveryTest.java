package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.BusinessStep;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.InvalidStateException;
import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskState;
import dev.smc.scheduler.internal.Draft;
import dev.smc.spi.InstanceProvider.TransitInstance;
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
 * Restart recovery: a Running task whose owner is gone becomes InError "interrupted" and start
 * completes it; two schedulers over one home never run one task's cycle at once.
 */
class RecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  @Test
  void aTaskWhoseOwnerProcessWasKilledIsInterruptedAndStartCompletesIt() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "hello\n");
    Files.write(src.resolve("b.bin"), new byte[200_000]);
    long pid = CrashingOwner.crashWhileSyncing(home, src);
    FileTaskStore store = new FileTaskStore(home);
    MigrationTask left = store.tasks().get(0);
    assertEquals(TaskState.Running, left.state(), "the killed process left its task Running");
    assertEquals(pid, left.owner().orElseThrow().pid());
    LocalInstanceProvider provider = new LocalInstanceProvider(home.resolve("transit"));
    assertEquals(List.of(left.transit().orElseThrow()), provider.transits().stream().map(TransitInstance::id).toList());

    try (Migrations m = Migrations.builder().home(home).executor(Runnable::run).build()) {
      MigrationTask t = m.task("crash");
      assertEquals(TaskState.InError, t.state());
      assertEquals(Optional.of(Migrations.INTERRUPTED), t.error());
      assertEquals(CycleRecord.Outcome.Interrupted, t.lastCycle().orElseThrow().outcome());
      assertTrue(t.owner().isEmpty());
      assertEquals(left.transit(), t.transit(), "the transit is kept so the retry continues");
      assertTrue(m.logs("crash").stream().anyMatch(e -> e.cause().contains("owner pid " + pid)), m.logs("crash").toString());

      t = m.start("crash");
      assertEquals(TaskState.Finished, t.state());
      assertEquals(1, t.lastCycle().orElseThrow().number());
      assertEquals(2, t.lastCycle().orElseThrow().attempts());
      assertTrue(provider.transits().isEmpty(), "released when Finished");
    }
    try (Repository repo = Repository.open(Backends.open(home.resolve("repo").toString()))) {
      Path target = tmp.resolve("restored");
      new FileRestore(1).restore(repo, new ImageRef("crash-img", 1), target);
      assertEquals(Fixture.contents(src), Fixture.contents(target));
    }
  }

  @Test
  void aStoredRunningTaskOfADeadOwnerIsRecoveredOnOpen() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations first = f.openDirect();
      MigrationTask t = first.create(f.incremental("dead", f.source()).build());
      first.close();
      Process gone = new ProcessBuilder("true").start();
      gone.waitFor();
      TransitInstance transit = f.provider.createTransit(t.id());
      Draft d = new Draft(t);
      d.state = TaskState.Running;
      d.step = BusinessStep.Syncing;
      d.transit = transit.id();
      d.owner = new MigrationTask.Owner(gone.pid(), "elsewhere", f.clock.instant());
      d.cycles.add(new CycleRecord(1, RunType.Manual, f.clock.instant(), Optional.empty(), Optional.empty(), 0, 0,
          CycleRecord.Outcome.Running, Optional.empty(), 1));
      new FileTaskStore(f.home).put(d.build());

      Migrations m = f.openDirect();
      MigrationTask r = m.task("dead");
      assertEquals(TaskState.InError, r.state());
      assertEquals(Optional.of("interrupted"), r.error());
      assertEquals(List.of(transit.id()), f.transitIds());
      r = m.start("dead");
      assertEquals(TaskState.Waiting, r.state());
      assertEquals(1, r.cycles().size());
      assertEquals(List.of(transit.id()), f.transitIds(), "the same transit serves the resumed cycle");
      m.delete("dead");
      f.assertNoTransit();
    }
  }

  @Test
  void twoSchedulersOverOneHomeNeverRunOneTasksCycleAtOnce() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations a = f.open();
      f.engine.close();
      a.create(f.incremental("two", f.source()).runMode(RunMode.now()).build());
      f.engine.awaitEntered(1);
      Migrations b = f.open(); // opening recovers nothing: a holds the task's lock
      assertEquals(TaskState.Running, b.task("two").state());
      f.clock.advance(Duration.ofHours(2));
      b.tick();
      assertEquals(TaskState.Running, b.task("two").state());
      assertThrows(InvalidStateException.class, () -> b.start("two"));
      assertTrue(new FileTaskStore(f.home).tryLock(b.task("two").id()).isEmpty());
      f.engine.open();
      assertEquals(TaskState.Waiting, a.awaitCycle("two", WAIT).state());

      f.engine.close();
      b.sync("two");
      f.engine.awaitEntered(1);
      assertThrows(InvalidStateException.class, () -> a.sync("two"));
      f.clock.advance(Duration.ofHours(2));
      a.tick(); // due, but b runs the cycle: a neither recovers nor runs it
      assertEquals(TaskState.Running, a.task("two").state());
      assertEquals(2, f.engine.runs.get());
      f.engine.open();
      assertEquals(TaskState.Waiting, b.awaitCycle("two", WAIT).state());
      assertEquals(2, f.engine.runs.get());
      assertEquals(2, a.task("two").cycles().size());
      a.delete("two");
      f.assertNoTransit();
    }
  }

  @Test
  void aPauseFromAnotherSchedulerStopsTheCycleWhereItRunsAndStartThereResumesIt() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations a = f.open();
      f.engine.close();
      a.create(f.incremental("two", f.source()).runMode(RunMode.now()).build());
      f.engine.awaitEntered(1);
      Migrations b = f.open();
      MigrationTask paused = b.pause("two"); // a runs the cycle; b asks through the store and waits
      assertEquals(TaskState.Stopped, paused.state());
      assertEquals(TaskState.Stopped, a.task("two").state());
      assertTrue(b.logs("two").stream().anyMatch(l -> l.event().contains("another process")), b.logs("two").toString());
      assertEquals(1, f.transitIds().size(), "a paused task keeps its transit instance");
      f.engine.open();
      b.start("two");
      assertEquals(TaskState.Waiting, b.awaitCycle("two", WAIT).state());
      assertEquals(1, b.task("two").cycles().size(), "the resumed cycle is the same cycle");
      b.delete("two");
      f.assertNoTransit();
    }
  }

  @Test
  void closingASchedulerInterruptsItsCycleAndANewOneResumesIt() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations a = f.open();
      f.engine.close();
      a.create(f.spec("cl", f.source()).runMode(RunMode.now()).build());
      f.engine.awaitEntered(1);
      a.close();
      Migrations b = f.openDirect();
      MigrationTask t = b.task("cl");
      assertEquals(TaskState.InError, t.state());
      assertEquals(Optional.of(Migrations.INTERRUPTED), t.error());
      assertEquals(1, f.transitIds().size());
      f.engine.open();
      assertEquals(TaskState.Finished, b.start("cl").state());
      f.assertNoTransit();
    }
  }
}
