package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.testkit.FaultyBackend;
import dev.smc.testkit.ManualClock;
import dev.smc.testkit.RecordingListener;
import dev.smc.testkit.RecordingListener.CycleFailed;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend that crashes at a seeded random put during a cycle (every later call fails, as when the
 * process dies): no half image is listed, the rerun after a restart completes and stores exactly
 * what the crashed cycle had not stored yet, the repository checks clean and every image restores
 * exactly. Reproduce one case with its seed (printed in every message).
 */
class RepositoryCrashTest {
  /** Small packs, so a cycle makes many puts to crash in. */
  private static final int PACK_SIZE = 16 * 1024;

  @TempDir
  Path tmp;

  /**
   * The seed, the cycle that crashes (1 = full, 2 = incremental) and whether the crashing put lands
   * first; {@code -Dsmc.seeds=1,2,3} runs other seeds, each deriving its case from the seed.
   */
  static Stream<Arguments> crashes() {
    String given = System.getProperty("smc.seeds");
    LongStream seeds = given != null && !given.isBlank()
        ? Arrays.stream(given.split(",")).mapToLong(x -> Long.parseLong(x.strip()))
        : LongStream.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    return seeds.mapToObj(seed -> Arguments.of(seed, 1 + (int) Math.floorMod(seed, 2L), Math.floorMod(seed, 3L) == 0));
  }

  private static Repository open(dev.smc.spi.Backend b, ManualClock clock) throws java.io.IOException {
    return Repository.open(b, Repository.options().packSize(PACK_SIZE).clock(clock));
  }

  @ParameterizedTest(name = "seed {0}, crash in cycle {1}, crashing put lands: {2}")
  @MethodSource("crashes")
  void aCrashAtARandomPutLeavesNoHalfImageAndTheRerunStoresOnlyWhatWasMissing(long seed, int crashCycle,
      boolean land) throws Exception {
    String what = "seed " + seed + " (-Dsmc.seeds=" + seed + "), crash in cycle " + crashCycle
        + (land ? ", crashing put lands" : "");
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    RandomTree tree = new RandomTree(srcPath, seed);
    tree.create(25);
    ManualClock clock = new ManualClock();
    TransferOptions options = TransferOptions.builder().compressionLevel((int) (seed % 2)).build();
    FileMigration engine = FileMigration.builder().threads(2).build();

    // a reference repository that never fails says what a clean cycle stores and how many puts it makes
    FaultyBackend counting = new FaultyBackend(new InMemoryBackend(clock));
    InMemoryBackend store = new InMemoryBackend(clock);
    try (Repository reference = open(counting, clock); Repository before = open(store, clock)) {
      if (crashCycle == 2) {
        engine.run(reference, srcPath, "crash", Excludes.NONE, options);
        engine.run(before, srcPath, "crash", Excludes.NONE, options);
        Trees.snapshot(srcPath, tmp.resolve("at-1"));
        tree.mutate(8);
        Trees.write(Trees.join(Trees.bytes(srcPath), "new-in-cycle-2.bin"), random(seed, 1_500_000));
      }
      counting.disarm();
      CycleReport clean = engine.run(reference, srcPath, "crash", Excludes.NONE, options);
      int puts = counting.puts();
      Set<ChunkId> storedBefore = StoredChunks.in(store).keySet();

      // the crashing cycle
      FaultyBackend faulty = new FaultyBackend(store).landFailingPuts(land);
      int crashAt = faulty.crashAtRandomPut(seed, puts);
      what += ", crash at put " + crashAt + " of " + puts;
      RecordingListener events = new RecordingListener();
      ImageRef ref = new ImageRef("crash", crashCycle);
      try (Repository crashing = open(faulty, clock)) {
        Exception failure = assertThrows(Exception.class, () -> FileMigration.builder().threads(2).listener(events)
            .build().run(crashing, srcPath, "crash", Excludes.NONE, options), what + ": the cycle did not fail");
        assertTrue(faulty.crashed(), what);
        assertTrue(causedByInjectedFault(failure), what + ": failed for another reason: " + failure);
      }
      assertEquals(1, events.events(CycleFailed.class).size() + (crashAt == 1 ? 1 : 0),
          what + ": cycleFailed events: " + events.events());
      assertEquals(List.of(), events.cycleContractViolations(), what);

      // restart: a new process opens the repository
      faulty.disarm();
      try (Repository after = open(store, clock)) {
        boolean committedBeforeCrash = land && faulty.failedPuts().equals(List.of("images/" + ref));
        if (!committedBeforeCrash) {
          assertEquals(Set.of(), Set.copyOf(after.images().stream().map(i -> i.ref()).filter(ref::equals).toList()),
              what + ": an image of the crashed cycle is listed");
          Map<ChunkId, Integer> stored = StoredChunks.in(store);
          long survived = stored.entrySet().stream().filter(e -> !storedBefore.contains(e.getKey()))
              .mapToLong(Map.Entry::getValue).sum();
          CycleReport rerun = engine.run(after, srcPath, "crash", Excludes.NONE, options);
          assertEquals(ref, rerun.image(), what);
          assertEquals(clean.bytesStored() - survived, rerun.bytesStored(), what + ": the rerun stored "
              + rerun.bytesStored() + " bytes; a clean cycle stores " + clean.bytesStored() + " and " + survived
              + " had reached the repository before the crash");
          if (survived > 0) {
            assertTrue(rerun.bytesStored() < clean.bytesStored(), what);
          }
        }
        Trees.snapshot(srcPath, tmp.resolve("at-" + crashCycle));

        Checker.Report check = after.check(true);
        assertTrue(check.ok(), what + ": check --read-data: " + check.errors());
        for (int c = 1; c <= crashCycle; c++) {
          assertEquals(List.of(), Trees.restoreAndCompare(after, new ImageRef("crash", c),
              tmp.resolve("restored-" + c), tmp.resolve("at-" + c)), what + ": crash-CYCLE_" + c);
        }

        // the crashed writer's lock (of this live process: no pid tells it is dead) stays until it is stale; then
        // garbage collection may run and frees nothing used
        if (crashAt > 1) {
          SmcException locked = assertThrows(SmcException.class, after::gc, what + ": gc ran beside a live lock");
          assertEquals(ErrorCode.LOCKED, locked.code(), what);
        }
        clock.advance(Duration.ofMinutes(11)); // by the backend's time: the lock is stale
        GarbageCollector.Result gc = after.gc();
        assertEquals(List.of(), gc.plan().delete(), what + ": gc deleted packs every image uses");
        assertTrue(after.check(true).ok(), what);
      }
    }
  }

  @ParameterizedTest(name = "put {0} fails")
  @org.junit.jupiter.params.provider.ValueSource(ints = {2, 9, 30, 55})
  void aSingleFailedPutFailsTheCycleAndARetryInTheSameProcessStoresOnlyWhatWasMissing(int failing) throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(srcPath, failing).create(20);
    ManualClock clock = new ManualClock();
    FileMigration engine = FileMigration.builder().threads(2).build();
    CycleReport clean;
    try (Repository reference = open(new InMemoryBackend(), clock)) {
      clean = engine.run(reference, srcPath, "retry", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    InMemoryBackend store = new InMemoryBackend();
    FaultyBackend faulty = new FaultyBackend(store).failNthPut(failing);
    try (Repository repo = open(faulty, clock)) {
      assertThrows(Exception.class, () -> engine.run(repo, srcPath, "retry", Excludes.NONE, TransferOptions.DEFAULTS),
          "put " + failing + " failed but the cycle did not");
      assertEquals(List.of(), repo.images(), "an image of the failed cycle is listed");
      long survived = StoredChunks.in(store).values().stream().mapToLong(Integer::longValue).sum();
      CycleReport retry = engine.run(repo, srcPath, "retry", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(new ImageRef("retry", 1), retry.image());
      assertEquals(clean.bytesStored() - survived, retry.bytesStored(), "put " + failing + " failed: bytes the retry stored");
      assertTrue(repo.check(true).ok(), "check after put " + failing + " failed: " + repo.check(true).errors());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, retry.image(), tmp.resolve("restored"), srcPath));
    }
  }

  @org.junit.jupiter.api.Test
  void afterIndexWritesFailARetryInTheSameProcessStillWritesTheIndexBeforeItsImage() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(srcPath, 3).create(20);
    InMemoryBackend store = new InMemoryBackend();
    FaultyBackend faulty = new FaultyBackend(store).failPutsStartingWith("index/");
    FileMigration engine = FileMigration.builder().threads(2).build();
    try (Repository repo = open(faulty, new ManualClock())) {
      assertThrows(Exception.class, () -> engine.run(repo, srcPath, "idx", Excludes.NONE, TransferOptions.DEFAULTS));
      assertTrue(store.list(Repository.INDEX_PREFIX).isEmpty(), "an index was written although every index put failed");
      faulty.disarm();
      CycleReport retry = engine.run(repo, srcPath, "idx", Excludes.NONE, TransferOptions.DEFAULTS);
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), "the retry committed " + retry.image() + " over packs no index lists: " + check.errors());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, retry.image(), tmp.resolve("restored"), srcPath));
    }
  }

  private static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  private static boolean causedByInjectedFault(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof FaultyBackend.InjectedFault) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (causedByInjectedFault(s)) {
          return true;
        }
      }
    }
    return false;
  }
}
