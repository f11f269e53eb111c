package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore.ImageWriter;
import dev.smc.testkit.FaultyBackend;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.backend.LocalFolderBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, findings 2 and 3: a live writer's lock never looks stale, whatever it is doing and
 * whatever its host's clock says; a cycle whose lock was lost stops before it commits; a lock whose
 * process is dead on this host is removed at once; stale and unreadable locks are reported and
 * removed; messages say which lock, whose, since when.
 */
class LocksTest {
  @TempDir
  Path tmp;

  private static Repository open(Backend b, Clock clock, Duration refresh) throws java.io.IOException {
    return Repository.open(b, Repository.options().clock(clock).lockTimes(refresh, Duration.ofMinutes(10)));
  }

  /** Waits until the lock objects the backend lists were all stored at or after {@code t} (a timer refreshed them). */
  private static void awaitRefreshedAfter(Backend b, Instant t) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (b.list("locks/").stream().anyMatch(o -> o.modified().isBefore(t))) {
      assertTrue(System.nanoTime() < deadline, "the lock was not refreshed: " + b.list("locks/"));
      Thread.sleep(20);
    }
  }

  @Test
  @Timeout(60)
  void aCycleThatWritesNothingForHalfAnHourKeepsItsLockFreshAndGcRefuses() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryBackend backend = new InMemoryBackend(clock); // the backend's own time moves with the manual clock
    try (Repository writerSide = open(backend, clock, Duration.ofMillis(50));
        Repository gcSide = open(backend, clock, Duration.ofMillis(50))) {
      try (ImageWriter w = writerSide.newImage("slow", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        // a slow link or a huge file: no index batch for 31 minutes; the lock's own timer keeps refreshing
        clock.advance(Duration.ofMinutes(31));
        awaitRefreshedAfter(backend, clock.instant());
        SmcException e = assertThrows(SmcException.class, gcSide::gc);
        assertEquals(ErrorCode.LOCKED, e.code());
        assertTrue(e.getMessage().contains("in use by a cycle") && e.getMessage().contains("shared"), e.getMessage());
        w.commit(Map.of());
      }
      assertEquals(1, writerSide.images().size(), "the cycle committed");
      writerSide.delete(writerSide.images().get(0).ref()); // a test image without a tree: gone before gc reads trees
      gcSide.gc(); // and once it released its lock, gc runs
    }
  }

  @Test
  @Timeout(60)
  void aWriterWhoseHostClockIsHalfAnHourBehindIsNotTakenForDead() throws Exception {
    Path dir = tmp.resolve("repo");
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-30));
    try (Repository writerSide = open(LocalFolderBackend.openWithoutSync(dir), behind, Duration.ofMinutes(1));
        Repository gcSide = open(LocalFolderBackend.openWithoutSync(dir), Clock.systemUTC(), Duration.ofMinutes(1))) {
      try (ImageWriter w = writerSide.newImage("behind", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        SmcException e = assertThrows(SmcException.class, gcSide::gc, "gc ran beside a live writer");
        assertEquals(ErrorCode.LOCKED, e.code());
        w.commit(Map.of());
      }
      assertEquals(1, gcSide.images().size());
    }
  }

  @Test
  void aCycleWhoseLockWasRemovedStopsBeforeItCommits() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    try (Repository repo = Repository.open(backend)) {
      try (ImageWriter w = repo.newImage("taken", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        w.putChunk(dev.smc.spi.ChunkId.of(Hashing.sha256(new byte[] {1}, 0, 1)), ByteBuffer.wrap(new byte[] {1}));
        // another host judged it stale and removed it (its gc may be deleting packs now)
        for (Backend.ObjectInfo o : backend.list("locks/")) {
          backend.delete(o.name());
        }
        SmcException e = assertThrows(SmcException.class, () -> w.commit(Map.of()));
        assertEquals(ErrorCode.LOCKED, e.code());
        assertTrue(e.getMessage().contains("lost the lock") && e.getMessage().contains("removed by another process"),
            e.getMessage());
      }
      assertEquals(List.of(), repo.images(), "no image was committed without the lock");
    }
  }

  @Test
  @Timeout(60)
  void aWriterThatCannotRefreshItsLockForHalfTheStaleTimeHasLostIt() throws Exception {
    FaultyBackend faulty = new FaultyBackend(new InMemoryBackend());
    try (Repository repo = Repository.open(faulty,
        Repository.options().lockTimes(Duration.ofMillis(50), Duration.ofMillis(800)))) {
      try (ImageWriter w = repo.newImage("cut", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        faulty.failPutsStartingWith("locks/"); // the store is unreachable for the lock's writes
        Thread.sleep(600); // longer than half the stale time: another process may have judged it stale
        faulty.disarm();
        SmcException e = assertThrows(SmcException.class, () -> w.commit(Map.of()));
        assertEquals(ErrorCode.LOCKED, e.code());
        assertTrue(e.getMessage().contains("not refreshed for"), e.getMessage());
      }
      assertEquals(List.of(), repo.images());
    }
  }

  private static Process holdLock(Path repo, String kind) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LockHolderMain.class.getName(), repo.toString(), kind)
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.equals("locked")) {
      // start-up output
    }
    assertEquals("locked", line, "the lock holder did not take its lock");
    return p;
  }

  private static void kill(Process p) throws InterruptedException {
    p.destroyForcibly(); // SIGKILL: no close, no shutdown hook
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
  }

  @Test
  @Timeout(120)
  void locksOfKilledProcessesOnThisHostAreRemovedAtOnce() throws Exception {
    Path dir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(dir))) {
      // a killed migrate: its shared lock no longer makes gc refuse
      Process writer = holdLock(dir, "shared");
      SmcException live = assertThrows(SmcException.class, repo::gc, "a live writer's lock is respected");
      assertTrue(live.getMessage().contains("pid " + writer.pid()), live.getMessage());
      kill(writer);
      repo.gc();
      assertEquals(List.of(), repo.backend().list("locks/"), "the dead writer's lock was removed");

      // a killed gc: its exclusive lock no longer makes a cycle refuse
      Process gc = holdLock(dir, "exclusive");
      SmcException locked = assertThrows(SmcException.class,
          () -> repo.newImage("web", ImageKind.FILES, TransferOptions.DEFAULTS));
      assertTrue(locked.getMessage().contains("garbage collection") && locked.getMessage().contains("pid " + gc.pid())
          && locked.getMessage().contains("since "), locked.getMessage());
      kill(gc);
      try (ImageWriter w = repo.newImage("web", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        w.commit(Map.of());
      }
      assertEquals(List.of(), repo.backend().list("locks/"), "no lock piles up");
      repo.delete(new dev.smc.ImageRef("web", 1)); // a test image without a tree
      assertTrue(repo.check(false).ok(), repo.check(false).errors().toString());
    }
  }

  @Test
  void unreadableLocksAreReportedRespectedUntilStaleAndRemovedByUnlock() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryBackend backend = new InMemoryBackend(clock);
    try (Repository repo = Repository.open(backend, Repository.options().clock(clock))) {
      backend.put("locks/garbage", ByteBuffer.wrap("\u0000\u0001 not a lock".getBytes(StandardCharsets.UTF_8)),
          Backend.PutMode.CREATE_NEW);
      backend.put("locks/badtime", ByteBuffer.wrap("kind=exclusive\nhost=h\npid=1\ntime=yesterday\n"
          .getBytes(StandardCharsets.UTF_8)), Backend.PutMode.CREATE_NEW);
      Checker.Report check = repo.check(false);
      assertFalse(check.ok());
      assertEquals(2, check.errors().stream().filter(e -> e.contains("not one this smc wrote")).count(),
          check.errors().toString());
      SmcException e = assertThrows(SmcException.class, repo::gc);
      assertTrue(e.getMessage().contains("locks/") && e.getMessage().contains("not one this smc wrote"),
          e.getMessage());
      assertThrows(SmcException.class, () -> repo.newImage("web", ImageKind.FILES, TransferOptions.DEFAULTS));

      // unlock without --all leaves them (they are not stale yet); after the stale time the next command removes them
      assertEquals(List.of(), repo.unlock(false));
      clock.advance(Duration.ofMinutes(11));
      try (ImageWriter w = repo.newImage("web", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        w.commit(Map.of());
      }
      assertEquals(List.of(), backend.list("locks/"));

      // unlock --all removes any lock at once
      backend.put("locks/garbage2", ByteBuffer.wrap("junk".getBytes(StandardCharsets.UTF_8)), Backend.PutMode.CREATE_NEW);
      List<LockInfo> removed = repo.unlock(true);
      assertEquals(List.of("locks/garbage2"), removed.stream().map(LockInfo::object).toList());
      repo.delete(new dev.smc.ImageRef("web", 1)); // a test image without a tree
      assertTrue(repo.check(false).ok(), repo.check(false).errors().toString());
    }
  }

  @Test
  void staleLocksAreNotedByCheckAndRemovedByUnlockButLiveOnesStay() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryBackend backend = new InMemoryBackend(clock);
    try (Repository repo = open(backend, clock, Duration.ofMinutes(1))) {
      ImageWriter old = repo.newImage("old", ImageKind.FILES, TransferOptions.DEFAULTS);
      clock.advance(Duration.ofMinutes(11)); // its timer never fired: no real time passed
      try (ImageWriter live = repo.newImage("live", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        // taking the second lock removed the stale one already
        assertEquals(1, backend.list("locks/").size());
        Checker.Report check = repo.check(false);
        assertTrue(check.ok(), check.errors().toString());
        assertTrue(check.notes().stream().anyMatch(n -> n.contains("is held") && n.contains("shared")),
            check.notes().toString());
        assertEquals(List.of(), repo.unlock(false), "a live lock stays");
        live.commit(Map.of());
      }
      assertThrows(SmcException.class, () -> old.commit(Map.of()), "the stale writer lost its lock");
      old.close();
      assertEquals(List.of(), backend.list("locks/"));

      // a stale lock left by another host: noted by check, removed by unlock
      backend.put("locks/0123abcd", ByteBuffer.wrap(("kind=shared\nhost=elsewhere\npid=77\ntime="
          + clock.instant() + "\n").getBytes(StandardCharsets.UTF_8)), Backend.PutMode.CREATE_NEW);
      clock.advance(Duration.ofMinutes(11));
      Checker.Report check = repo.check(false);
      assertTrue(check.notes().stream().anyMatch(n -> n.contains("locks/0123abcd") && n.contains("pid 77 on elsewhere")
          && n.contains("stale")), check.notes().toString());
      List<LockInfo> removed = repo.unlock(false);
      assertEquals(List.of("locks/0123abcd"), removed.stream().map(LockInfo::object).toList());
      assertEquals(LockInfo.State.STALE, removed.get(0).state());
    }
  }

  @Test
  void aLockFromAnotherHostIsJudgedByItsAgeNotByItsPid() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    InMemoryBackend backend = new InMemoryBackend(clock);
    try (Repository repo = Repository.open(backend, Repository.options().clock(clock))) {
      // pid 1 of a pid space that is not this one: no claim about it can be made from here
      backend.put("locks/other", ByteBuffer.wrap(("kind=shared\nhost=other\npidspace=00000000-0000-0000-0000-000000000000"
          + "/1\npid=999999\nstarted=1\ntime=2026-12-01T00:00:00Z\n").getBytes(StandardCharsets.UTF_8)),
          Backend.PutMode.CREATE_NEW);
      SmcException e = assertThrows(SmcException.class, repo::gc);
      assertTrue(e.getMessage().contains("pid 999999 on other") && e.getMessage().contains("since 2026-12-01T00:00:00Z"),
          e.getMessage());
      clock.advance(Duration.ofMinutes(11));
      repo.gc();
    }
  }
}
