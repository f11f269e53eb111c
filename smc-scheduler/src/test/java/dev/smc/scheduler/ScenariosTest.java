package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.BusinessStep;
import dev.smc.ErrorCode;
import dev.smc.FieldError;
import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.NotFoundException;
import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskState;
import dev.smc.testkit.FaultyBackend;
import dev.smc.transfer.backend.InMemoryBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle scenarios of issue #4; each ends by proving where the transit instance is. */
class ScenariosTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  @Test
  void expiresWhenValidityEndsInReadyAndIsDeletedSevenDaysLater() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Instant t0 = f.clock.instant();
      m.create(f.spec("exp", f.source()).validity(Duration.ofDays(7)).build());
      f.clock.advance(Duration.ofDays(7).minusSeconds(1));
      m.tick();
      assertEquals(TaskState.Ready, m.task("exp").state());
      f.clock.advance(Duration.ofSeconds(1));
      m.tick();
      MigrationTask t = m.task("exp");
      assertEquals(TaskState.Expired, t.state());
      assertEquals(t0.plus(Duration.ofDays(14)), t.deleteAt().orElseThrow());
      f.clock.advance(Duration.ofDays(7).minusSeconds(1));
      m.tick();
      assertEquals(TaskState.Expired, m.task("exp").state());
      f.clock.advance(Duration.ofSeconds(1));
      m.tick();
      assertThrows(NotFoundException.class, () -> m.task("exp"));
      assertTrue(m.tasks().isEmpty());
      f.assertNoTransit();
    }
  }

  @Test
  void aTaskInErrorKeepsItsTransitUntilItExpires() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      f.engine.failNext.set(1);
      m.create(f.spec("err", f.source()).runMode(RunMode.now()).build());
      MigrationTask t = m.task("err");
      assertEquals(TaskState.InError, t.state());
      assertTrue(t.error().orElseThrow().contains("injected read failure"), t.error().toString());
      assertEquals(CycleRecord.Outcome.Failed, t.lastCycle().orElseThrow().outcome());
      assertEquals(List.of(t.transit().orElseThrow()), f.transitIds(), "kept so a retry can continue");
      f.clock.advance(Duration.ofDays(30));
      m.tick();
      assertEquals(TaskState.Expired, m.task("err").state());
      f.assertNoTransit();
      assertTrue(m.logs("err").stream().anyMatch(e -> e.event().contains("released") && e.cause().equals("validity ended")));
    }
  }

  @Test
  void retentionKeepsMaxImagesCountingPinnedOnesAndNeverDeletesAPinnedImage() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      m.create(f.spec("ret", src).incremental(Duration.ofHours(1), 2).runMode(RunMode.now()).build());
      Files.writeString(src.resolve("etc/counter"), "2\n");
      m.sync("ret");
      assertEquals(List.of(1, 2), images(m, "ret"));
      m.pin("ret", 1, true);
      assertEquals(List.of(new ImageRef("ret-img", 1)), m.task("ret").pinned());
      m.sync("ret");
      assertEquals(List.of(1, 3), images(m, "ret"), "the oldest unpinned image goes");
      m.sync("ret");
      assertEquals(List.of(1, 4), images(m, "ret"));
      assertEquals(2, f.restore(new ImageRef("ret-img", 1)).size(), "the pinned image still restores");
      m.pin("ret", 1, false);
      m.sync("ret");
      assertEquals(List.of(4, 5), images(m, "ret"));
      assertTrue(m.logs("ret").stream().anyMatch(e -> e.event().equals("retention deleted [ret-img-CYCLE_2]")));
      assertEquals(1, f.transitIds().size(), "an incremental task keeps its transit between cycles");
      m.delete("ret");
      f.assertNoTransit();
      assertEquals(List.of(4, 5), f.repo.images().stream().map(i -> i.ref().cycle()).toList(), "delete keeps images");
    }
  }

  @Test
  void cutOverWithAFinalSyncRunsOneMoreCycleThenFinishesAndReleasesTheTransit() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      m.create(f.incremental("cut", src).runMode(RunMode.now()).build());
      Files.writeString(src.resolve("etc/counter"), "final data\n");
      MigrationTask t = m.cutover("cut", true);
      assertEquals(TaskState.Finished, t.state());
      assertEquals(2, t.cycles().size());
      assertEquals(RunType.Manual, t.lastCycle().orElseThrow().type());
      assertTrue(t.nextRun().isEmpty());
      assertEquals("final data\n", f.restore(new ImageRef("cut-img", 2)).get("etc/counter"));
      f.assertNoTransit();
      f.clock.advance(Duration.ofDays(60));
      m.tick();
      assertEquals(TaskState.Finished, m.task("cut").state(), "a Finished task does not expire");
    }
  }

  @Test
  void cutOverCanRunItsFinalCycleWithoutTheExcludes() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      Files.createDirectories(src.resolve("var/spool"));
      Files.writeString(src.resolve("var/spool/queue"), "dynamic data\n");
      m.create(f.incremental("cut", src).exclude("var/spool/").runMode(RunMode.now()).build());
      assertFalse(f.restore(new ImageRef("cut-img", 1)).containsKey("var/spool/queue"), "excluded while it runs");
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> m.cutover("cut", false, true));
      assertTrue(e.getMessage().contains("dropExcludes"), e.getMessage());

      MigrationTask t = m.cutover("cut", true, true);
      assertEquals(TaskState.Finished, t.state());
      assertEquals(Fixture.contents(src), f.restore(new ImageRef("cut-img", 2)), "the final image has everything");
      assertTrue(m.logs("cut").stream().anyMatch(l -> l.event().contains("excludes dropped")), m.logs("cut").toString());
      f.assertNoTransit();
    }
  }

  @Test
  void cutOverWithoutAFinalSyncFinishesAtOnce() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      m.create(f.incremental("cut", f.source()).runMode(RunMode.now()).build());
      assertEquals(1, f.transitIds().size());
      MigrationTask t = m.cutover("cut", false);
      assertEquals(TaskState.Finished, t.state());
      assertEquals(1, t.cycles().size());
      f.assertNoTransit();
      f.clock.advance(Duration.ofHours(5));
      m.tick();
      assertEquals(1, m.task("cut").cycles().size(), "no interval cycle after cut-over");
    }
  }

  @Test
  void oneTimeTaskReleasesItsTransitWhenFinished() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      MigrationTask t = m.create(f.spec("once", src).runMode(RunMode.now()).build());
      assertEquals(TaskState.Finished, t.state());
      assertEquals(Fixture.contents(src), f.restore(new ImageRef("once-img", 1)));
      f.assertNoTransit();
    }
  }

  @Test
  void pauseDuringSyncingStopsTheCycleAndStartResumesIt() throws Exception {
    RecordingStates states = new RecordingStates();
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open(Migrations.builder().executor(f.pool).listener(states));
      Path src = f.source();
      f.engine.close();
      m.create(f.incremental("pz", src).runMode(RunMode.now()).build());
      f.engine.awaitEntered(1);
      assertEquals(BusinessStep.Syncing, m.task("pz").step().orElseThrow());
      MigrationTask t = m.pause("pz");
      assertEquals(TaskState.Stopped, t.state());
      CycleRecord r = t.lastCycle().orElseThrow();
      assertEquals(CycleRecord.Outcome.Cancelled, r.outcome());
      assertEquals(1, f.transitIds().size(), "a paused task keeps its transit");
      assertTrue(f.repo.images().isEmpty());
      f.engine.open();
      m.start("pz");
      t = m.awaitCycle("pz", WAIT);
      assertEquals(TaskState.Waiting, t.state());
      assertEquals(1, t.cycles().size(), "the interrupted cycle was re-run, not a new one added");
      assertEquals(2, t.lastCycle().orElseThrow().attempts());
      assertEquals(CycleRecord.Outcome.Succeeded, t.lastCycle().orElseThrow().outcome());
      assertEquals(Fixture.contents(src), f.restore(new ImageRef("pz-img", 1)));
      assertEquals(List.of("Ready>Running", "Running>Stopped", "Stopped>Running", "Running>Waiting"), states.list());
      m.delete("pz");
      f.assertNoTransit();
    }
  }

  @Test
  void pauseOutsideSyncingIsRefusedNamingTheStep() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open(Migrations.builder().executor(f.pool).maxConcurrentCycles(1));
      f.engine.close();
      m.create(f.spec("a1", f.source()).runMode(RunMode.now()).build());
      m.create(f.spec("b1", f.source()).runMode(RunMode.now()).build());
      f.engine.awaitEntered(1);
      MigrationTask queued = m.task("b1");
      assertEquals(BusinessStep.Preparing, queued.step().orElseThrow());
      dev.smc.InvalidStateException e = assertThrows(dev.smc.InvalidStateException.class, () -> m.pause("b1"));
      assertTrue(e.getMessage().contains("'b1'") && e.getMessage().contains("Preparing"), e.getMessage());
      f.engine.open();
      assertTrue(m.awaitIdle(WAIT));
      assertEquals(TaskState.Finished, m.task("b1").state());
      f.assertNoTransit();
    }
  }

  @Test
  void aRetryAfterAFailedCycleSendsOnlyWhatTheRepositoryLacks() throws Exception {
    FaultyBackend faulty = new FaultyBackend(new InMemoryBackend());
    try (Fixture f = new Fixture(tmp, faulty)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      SplittableRandom rnd = new SplittableRandom(4);
      for (int i = 0; i < 4; i++) {
        byte[] b = new byte[300_000];
        rnd.nextBytes(b);
        Files.write(src.resolve("data" + i), b);
      }
      faulty.failPutsStartingWith("images/"); // every chunk lands, the manifest that commits the image does not
      m.create(f.spec("rs", src).runMode(RunMode.now()).build());
      MigrationTask t = m.task("rs");
      assertEquals(TaskState.InError, t.state());
      assertEquals(1, f.transitIds().size());
      faulty.disarm();
      t = m.start("rs");
      assertEquals(TaskState.Finished, t.state());
      CycleRecord r = t.lastCycle().orElseThrow();
      assertEquals(1, r.number());
      assertEquals(2, r.attempts());
      assertTrue(r.bytesScanned() >= 1_200_000, r.toString());
      assertTrue(r.bytesSent() < 100_000, "the retry re-sent stored chunks: " + r);
      assertEquals(Fixture.contents(src), f.restore(new ImageRef("rs-img", 1)));
      f.assertNoTransit();
    }
  }

  @Test
  void cyclesBeyondTheCapQueueAndRunWhenOthersEnd() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open(Migrations.builder().executor(f.pool).maxConcurrentCycles(2));
      f.engine.close();
      for (String n : List.of("q1", "q2", "q3")) {
        m.create(f.spec(n, f.source()).runMode(RunMode.now()).build());
      }
      f.engine.awaitEntered(2);
      Thread.sleep(200); // a third cycle, if it were let through, would enter now
      assertEquals(2, f.engine.runs.get());
      MigrationTask q3 = m.task("q3");
      assertEquals(TaskState.Running, q3.state());
      assertEquals(BusinessStep.Preparing, q3.step().orElseThrow());
      assertTrue(m.logs("q3").stream().anyMatch(e -> e.event().equals("queued")
          && e.cause().equals("2 cycles running, at most 2 at once")));
      f.engine.open();
      assertTrue(m.awaitIdle(WAIT));
      for (String n : List.of("q1", "q2", "q3")) {
        assertEquals(TaskState.Finished, m.task(n).state());
      }
      assertEquals(3, f.engine.runs.get());
      f.assertNoTransit();
    }
  }

  @Test
  void aTickDueWhileTheCycleStillRunsIsSkippedAndLogged() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open();
      Instant t0 = f.clock.instant();
      m.create(f.incremental("tk", f.source()).runMode(RunMode.now()).build());
      assertEquals(TaskState.Waiting, m.awaitCycle("tk", WAIT).state());
      f.engine.close();
      f.clock.advance(Duration.ofHours(1));
      m.tick();
      f.engine.awaitEntered(2);
      f.clock.advance(Duration.ofHours(1));
      m.tick();
      MigrationTask t = m.task("tk");
      assertEquals(TaskState.Running, t.state());
      assertEquals(2, t.cycles().size());
      assertEquals(t0.plus(Duration.ofHours(3)), t.nextRun().orElseThrow());
      assertTrue(m.logs("tk").stream().anyMatch(e -> e.event().startsWith("tick skipped: due "
          + t0.plus(Duration.ofHours(2)) + " while cycle 2 still runs")), m.logs("tk").toString());
      f.engine.open();
      t = m.awaitCycle("tk", WAIT);
      assertEquals(TaskState.Waiting, t.state());
      assertEquals(2, t.cycles().size());
      assertEquals(2, f.engine.runs.get(), "the skipped tick ran no cycle");
      assertEquals(1, f.transitIds().size());
      m.delete("tk");
      f.assertNoTransit();
    }
  }

  @Test
  void aScheduledTaskStartsWhenItsTimeComes() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Instant at = f.clock.instant().plus(Duration.ofHours(2));
      MigrationTask t = m.create(f.spec("sch", f.source()).runMode(RunMode.at(at)).build());
      assertEquals(TaskState.Ready, t.state());
      assertEquals(at, t.nextRun().orElseThrow());
      f.clock.advance(Duration.ofMinutes(119));
      m.tick();
      assertEquals(TaskState.Ready, m.task("sch").state());
      f.clock.advance(Duration.ofMinutes(1));
      m.tick();
      t = m.task("sch");
      assertEquals(TaskState.Finished, t.state());
      assertEquals(RunType.Schedule, t.lastCycle().orElseThrow().type());
      f.assertNoTransit();
    }
  }

  @Test
  void theBackgroundSchedulerTicksByItselfAndCloseLeavesNothingRunning() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open(Migrations.builder().executor(f.pool).tickEvery(Duration.ofMillis(20)));
      Instant at = f.clock.instant().plus(Duration.ofMinutes(30));
      m.create(f.incremental("bg", f.source()).runMode(RunMode.at(at)).build());
      m.start();
      f.clock.advance(Duration.ofMinutes(30));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (m.task("bg").state() != TaskState.Waiting && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(TaskState.Waiting, m.task("bg").state(), "the background tick started the scheduled cycle");
      m.close();
      assertThrows(IllegalStateException.class, () -> m.sync("bg"));
      Migrations again = f.openDirect();
      assertEquals(TaskState.Waiting, again.task("bg").state(), "a clean close changes no task between cycles");
      again.delete("bg");
      f.assertNoTransit();
    }
  }

  @Test
  void aRepeatedCreateWithTheSameClientTokenReturnsTheFirstTask() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      MigrationTask first = m.create(f.spec("tok", src).clientToken("abc-123").build());
      MigrationTask again = m.create(f.spec("tok", src).clientToken("abc-123").build());
      assertEquals(first.id(), again.id());
      assertEquals(1, m.tasks().size());
      f.assertNoTransit();
    }
  }

  @Test
  void namesImagesAndSourcesAreUniqueAndBadInputNamesItsField() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      m.create(f.spec("u1", src).build());
      SmcException dupName = assertThrows(SmcException.class, () -> m.create(f.spec("u1", f.source()).imageName("other").build()));
      assertEquals(ErrorCode.ALREADY_EXISTS, dupName.code());
      assertTrue(dupName.getMessage().contains("task name 'u1'"));
      SmcException dupImage = assertThrows(SmcException.class, () -> m.create(f.spec("u2", f.source()).imageName("u1-img").build()));
      assertTrue(dupImage.getMessage().contains("image name 'u1-img'"), dupImage.getMessage());
      SmcException dupSource = assertThrows(SmcException.class, () -> m.create(f.spec("u3", src).build()));
      assertTrue(dupSource.getMessage().contains("unfinished task 'u1'"), dupSource.getMessage());
      m.start("u1");
      assertEquals(TaskState.Finished, m.task("u1").state());
      m.create(f.spec("u3", src).build()); // the source's task is finished: a new one may start
      InvalidSpecException soon = assertThrows(InvalidSpecException.class, () -> m.create(f.spec("u4", f.source())
          .runMode(RunMode.at(f.clock.instant().plus(Duration.ofMinutes(5)))).build()));
      assertEquals(List.of("runMode"), soon.errors().stream().map(FieldError::field).toList());
      InvalidSpecException offline = assertThrows(InvalidSpecException.class,
          () -> m.create(f.spec("u5", tmp.resolve("missing")).build()));
      assertEquals(List.of("source"), offline.errors().stream().map(FieldError::field).toList());
      SmcException rename = assertThrows(SmcException.class,
          () -> m.modify("u3", Modification.builder().name("u1").build()));
      assertEquals(ErrorCode.ALREADY_EXISTS, rename.code());
      InvalidSpecException range = assertThrows(InvalidSpecException.class,
          () -> m.modify("u3", Modification.builder().maxImages(11).build()));
      assertFalse(range.errors().isEmpty());
      assertEquals(List.of("u1", "u3"), m.tasks().stream().map(MigrationTask::name).toList());
      f.assertNoTransit();
    }
  }

  @Test
  void modifyChangesThePolicyOfAWaitingTaskAndTheNextRun() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Instant t0 = f.clock.instant();
      m.create(f.incremental("mod", f.source()).runMode(RunMode.now()).build());
      InvalidSpecException bad = assertThrows(InvalidSpecException.class,
          () -> m.modify("mod", Modification.builder().interval(Duration.ZERO).maxImages(11).build()));
      assertEquals(List.of("interval", "maxImages"), bad.errors().stream().map(FieldError::field).toList());
      MigrationTask t = m.modify("mod", Modification.builder().interval(Duration.ofHours(6)).description("db").build());
      assertEquals(Duration.ofHours(6), t.spec().syncPolicy().orElseThrow().interval());
      assertEquals("db", t.spec().description());
      assertEquals(t0.plus(Duration.ofHours(6)), t.nextRun().orElseThrow());
      m.delete("mod");
      f.assertNoTransit();
    }
  }

  private static List<Integer> images(Migrations m, String task) throws Exception {
    return m.images(task).stream().map(i -> i.ref().cycle()).toList();
  }

  /** Records state changes as {@code from>to}. */
  static final class RecordingStates implements dev.smc.MigrationListener {
    private final List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void stateChanged(dev.smc.TaskId task, TaskState from, TaskState to) {
      changes.add(from + ">" + to);
    }

    List<String> list() {
      return List.copyOf(changes);
    }
  }
}
