package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.testkit.FaultyBackend;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection crashed at every one of its puts and deletes in turn: every kept image stays
 * readable and exact, check is clean, and a rerun finishes the work.
 */
class GarbageCollectorCrashTest {
  private static final int PACK_SIZE = 64 * 1024;

  @TempDir
  Path tmp;

  private static Repository open(Backend b, ManualClock clock) throws IOException {
    return Repository.open(b, Repository.options().packSize(PACK_SIZE).clock(clock));
  }

  private static InMemoryBackend copy(InMemoryBackend from, ManualClock clock) throws IOException {
    InMemoryBackend to = new InMemoryBackend(clock);
    for (Backend.ObjectInfo o : from.list("")) {
      to.put(o.name(), from.get(o.name()), Backend.PutMode.CREATE_NEW);
    }
    return to;
  }

  @Test
  void aGcCrashedAtAnyPutOrDeleteLeavesEveryKeptImageExactAndARerunFinishesTheWork() throws Exception {
    // four cycles, each with data only it holds; forget keeps the newest two
    Path src = Files.createDirectory(tmp.resolve("src"));
    RandomTree tree = new RandomTree(src, 5);
    tree.create(15);
    ManualClock clock = new ManualClock();
    InMemoryBackend base = new InMemoryBackend(clock);
    try (Repository repo = open(base, clock)) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      for (int c = 1; c <= 4; c++) {
        if (c > 1) {
          tree.mutate(6);
        }
        byte[] unique = new byte[300_000];
        new Random(c).nextBytes(unique);
        Trees.write(Trees.join(Trees.bytes(src), "only-in-this-cycle.bin"), unique);
        engine.run(repo, src, "gc", Excludes.NONE, TransferOptions.DEFAULTS);
        Trees.snapshot(src, tmp.resolve("at-" + c));
      }
      repo.forget("gc", 2);
    }

    // a clean collection, to count its puts and deletes and to know the space it leaves
    InMemoryBackend cleanCopy = copy(base, clock);
    FaultyBackend counting = new FaultyBackend(cleanCopy);
    GarbageCollector.Result clean;
    try (Repository repo = open(counting, clock)) {
      clean = repo.gc();
    }
    assertTrue(!clean.plan().delete().isEmpty() && !clean.plan().repack().isEmpty(),
        "the scenario should delete and repack packs: " + clean.plan());
    int puts = counting.puts();
    int deletes = counting.deletes();
    long cleanBytes = StoredChunks.bytes(cleanCopy, Repository.DATA_PREFIX);

    for (int k = 1; k <= puts + deletes; k++) {
      boolean atPut = k <= puts;
      int n = atPut ? k : k - puts;
      String what = "gc crashed at " + (atPut ? "put " : "delete ") + n + " of " + (atPut ? puts : deletes);
      InMemoryBackend store = copy(base, clock);
      FaultyBackend faulty = new FaultyBackend(store);
      Consumer<FaultyBackend> arm = atPut ? f -> f.crashAtPut(n) : f -> f.crashAtDelete(n);
      arm.accept(faulty);
      try (Repository repo = open(faulty, clock)) {
        if (!atPut && n == deletes) {
          repo.gc(); // the last delete releases the lock: the collection is done, the lock is left to expire
        } else {
          assertThrows(Exception.class, repo::gc, what + ": gc did not fail");
        }
      }
      faulty.disarm();
      try (Repository repo = open(store, clock)) {
        Checker.Report check = repo.check(true);
        assertTrue(check.ok(), what + ": check --read-data: " + check.errors());
        for (int c = 3; c <= 4; c++) {
          assertEquals(List.of(), Trees.restoreAndCompare(repo, new ImageRef("gc", c),
              tmp.resolve("restored-" + k + "-" + c), tmp.resolve("at-" + c)), what + ": gc-CYCLE_" + c);
        }
        clock.advance(Duration.ofMinutes(11)); // by the backend's time, the crashed collection's lock is stale now
        repo.gc();
        GarbageCollector.Plan rest = repo.planGc();
        assertEquals(List.of(), rest.delete(), what + ": the rerun left work: " + rest);
        assertEquals(List.of(), rest.repack(), what + ": the rerun left work: " + rest);
        long bytes = StoredChunks.bytes(store, Repository.DATA_PREFIX);
        assertTrue(bytes <= cleanBytes * 101 / 100, what + ": after the rerun data/ holds " + bytes
            + " bytes; an uninterrupted gc leaves " + cleanBytes);
        Checker.Report after = repo.check(true);
        assertTrue(after.ok(), what + ": check after the rerun: " + after.errors());
      }
    }
  }
}
