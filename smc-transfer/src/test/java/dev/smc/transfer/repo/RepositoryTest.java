package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore.ImageWriter;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Dedup across cycles and image names, abandoned writers, several writers at once, and locks. */
class RepositoryTest {
  @TempDir
  Path tmp;

  private final FileMigration engine = FileMigration.builder().threads(2).build();

  private Path tree(String name, long seed) throws Exception {
    Path p = Files.createDirectory(tmp.resolve(name));
    new RandomTree(p, seed).create(30);
    return p;
  }

  private static ByteBuffer chunk(long seed) {
    byte[] b = new byte[Repository.DEFAULT_CHUNK_SIZE];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  private static ChunkId idOf(ByteBuffer b) {
    return ChunkId.of(Hashing.sha256(b));
  }

  @Test
  void identicalDataDedupsAcrossCyclesAndImageNames() throws Exception {
    Path src = tree("src", 1);
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      CycleReport full = engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertTrue(full.bytesStored() > 5_000_000, "a full cycle stored only " + full.bytesStored());

      // the same tree under another image name: nothing new at all
      CycleReport other = engine.run(repo, src, "web-copy", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(new ImageRef("web-copy", 1), other.image());
      assertEquals(0, other.chunksNew(), "data chunks stored again under a second image name");
      assertEquals(0, other.bytesStored(), "bytes stored for an identical tree under a second image name");

      // a copy of the tree (new inodes and ctimes, so every file is read): its data still dedups, only the
      // tree metadata is new
      Trees.snapshot(src, tmp.resolve("copy"));
      CycleReport copy = engine.run(repo, tmp.resolve("copy"), "db", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(0, copy.filesReused());
      assertTrue(copy.bytesRead() > 5_000_000, "the copy was not read");
      assertEquals(0, copy.chunksNew(), "data chunks stored again for a copy of the data");
      assertTrue(copy.bytesStored() < full.bytesStored() / 100, "a copy of the data stored " + copy.bytesStored()
          + " bytes (the data is " + full.bytesStored() + ")");

      // the next cycle of the same name after a change stores only the change
      Trees.write(Trees.join(Trees.bytes(src), "new.bin"), chunk(5).array());
      CycleReport next = engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(new ImageRef("web", 2), next.image());
      assertEquals(1, next.chunksNew());
      assertTrue(repo.check(true).ok());
      for (ImageInfo i : repo.images()) {
        Path expected = i.ref().name().equals("db") ? tmp.resolve("copy") : src;
        if (i.ref().equals(new ImageRef("web", 1)) || i.ref().name().equals("web-copy")) {
          continue; // the source changed since
        }
        assertEquals(List.of(), Trees.restoreAndCompare(repo, i.ref(), tmp.resolve("restored-" + i.ref()), expected));
      }
    }
  }

  @Test
  void openThroughAnotherBackendReachesTheSameRepositoryAndRefusesAnEmptyOrAnotherOne() throws Exception {
    Path dir = tmp.resolve("repo");
    Path src = Files.createDirectory(tmp.resolve("src"));
    Trees.write(Trees.join(Trees.bytes(src), "f"), chunk(1).array());
    ManualClock clock = new ManualClock();
    try (Repository main = Repository.open(LocalFolderBackend.openWithoutSync(dir), Repository.options().clock(clock))) {
      try (Repository through = main.openThrough(LocalFolderBackend.openWithoutSync(dir))) {
        assertEquals(main.id(), through.id());
        engine.run(through, src, "via", Excludes.NONE, TransferOptions.DEFAULTS);
      }
      assertEquals(List.of(new ImageRef("via", 1)), main.images().stream().map(ImageInfo::ref).toList(),
          "the image written through the other backend is the main repository's");
      assertEquals(clock.instant(), main.images().get(0).created(), "written with the main repository's clock");

      InMemoryBackend empty = new InMemoryBackend();
      IntegrityException none = assertThrows(IntegrityException.class, () -> main.openThrough(empty));
      assertTrue(none.getMessage().contains("no 'config'"), none.getMessage());
      assertEquals(List.of(), empty.list(""), "no repository may be created by openThrough");

      InMemoryBackend other = new InMemoryBackend();
      Repository.open(other).close();
      IntegrityException wrong = assertThrows(IntegrityException.class, () -> main.openThrough(other));
      assertTrue(wrong.getMessage().contains("not " + main.id()), wrong.getMessage());
    }
  }

  @Test
  void aWriterClosedWithoutCommitLeavesNoImageAndTheRerunDoesNotResendItsChunks() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    List<ChunkId> ids = new ArrayList<>();
    try (Repository repo = Repository.open(backend, Repository.options().packSize(64 * 1024))) {
      try (ImageWriter w = repo.newImage("half", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        assertEquals(new ImageRef("half", 1), w.ref());
        for (int i = 0; i < 10; i++) {
          ByteBuffer c = chunk(i);
          ids.add(idOf(c));
          assertEquals(c.remaining(), w.putChunk(idOf(c), c));
        }
        w.writeTree(new byte[100], 0, 100);
      }
      assertEquals(List.of(), repo.images(), "an abandoned writer's image is listed");
      assertTrue(repo.image(new ImageRef("half", 1)).isEmpty());
    }
    try (Repository again = Repository.open(backend)) {
      try (ImageWriter w = again.newImage("half", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        assertEquals(new ImageRef("half", 1), w.ref(), "the abandoned cycle's number is free again");
        for (int i = 0; i < 10; i++) {
          assertTrue(w.hasChunk(ids.get(i)), "chunk " + i + " of the abandoned writer is not known");
          assertEquals(0, w.putChunk(ids.get(i), chunk(i)), "chunk " + i + " was stored again");
        }
      }
      // nothing refers to them: garbage collection frees them
      GarbageCollector.Result gc = again.gc();
      assertEquals(0, gc.bytesAfter(), "bytes left after collecting an abandoned writer's chunks");
      assertTrue(again.check(true).ok());
    }
  }

  @Test
  void twoWritersCannotCommitTheSameCycleOfOneImage() throws Exception {
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      Path src = Files.createDirectory(tmp.resolve("src"));
      Trees.write(Trees.join(Trees.bytes(src), "f"), chunk(1).array());
      engine.run(repo, src, "race", Excludes.NONE, TransferOptions.DEFAULTS);
      try (ImageWriter a = repo.newImage("race", ImageKind.FILES, TransferOptions.DEFAULTS);
          ImageWriter b = repo.newImage("race", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        assertEquals(a.ref(), b.ref());
        byte[] tree = treeOf(repo, new ImageRef("race", 1));
        a.writeTree(tree, 0, tree.length);
        b.writeTree(tree, 0, tree.length);
        a.commit(Map.of());
        SmcException e = assertThrows(SmcException.class, () -> b.commit(Map.of()));
        assertEquals(ErrorCode.ALREADY_EXISTS, e.code());
      }
      assertEquals(List.of(new ImageRef("race", 1), new ImageRef("race", 2)),
          repo.images().stream().map(ImageInfo::ref).toList());
      assertTrue(repo.check(true).ok());
    }
  }

  private static byte[] treeOf(Repository repo, ImageRef ref) throws Exception {
    try (var r = repo.openImage(ref); var in = r.tree()) {
      return in.readAllBytes();
    }
  }

  @Test
  @Timeout(120)
  void twoWritersOfDifferentImagesAtOnceBothCommitAndTheRepositoryChecksClean() throws Exception {
    Path a = tree("a", 10);
    Path b = tree("b", 20);
    // the same big file in both trees: both writers race to store its chunks
    byte[] shared = new byte[4 << 20];
    new Random(3).nextBytes(shared);
    Trees.write(Trees.join(Trees.bytes(a), "shared.bin"), shared);
    Trees.write(Trees.join(Trees.bytes(b), "shared.bin"), shared);
    Path repoDir = tmp.resolve("repo");
    Repository.open(LocalFolderBackend.openWithoutSync(repoDir)).close();

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 1; round <= 2; round++) {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<CycleReport>> runs = new ArrayList<>();
        for (Path src : List.of(a, b)) {
          runs.add(pool.submit(() -> {
            // each writer is its own process: its own backend and repository objects on one folder
            try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
                Repository.options().packSize(256 * 1024))) {
              start.await(30, TimeUnit.SECONDS);
              return engine.run(repo, src, "host-" + src.getFileName(), Excludes.NONE, TransferOptions.DEFAULTS);
            }
          }));
        }
        for (Future<CycleReport> f : runs) {
          assertEquals(round, f.get(100, TimeUnit.SECONDS).image().cycle());
        }
        Trees.snapshot(a, tmp.resolve("a-" + round));
        Trees.snapshot(b, tmp.resolve("b-" + round));
        if (round == 1) {
          new RandomTree(a, 11).mutate(10);
          new RandomTree(b, 21).mutate(10);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      assertEquals(List.of(new ImageRef("host-a", 1), new ImageRef("host-a", 2), new ImageRef("host-b", 1),
          new ImageRef("host-b", 2)), repo.images().stream().map(ImageInfo::ref).toList());
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), "check after two writers at once: " + check.errors());
      for (ImageInfo i : repo.images()) {
        String host = i.ref().name().substring(5);
        assertEquals(List.of(), Trees.restoreAndCompare(repo, i.ref(), tmp.resolve("restored-" + i.ref()),
            tmp.resolve(host + "-" + i.ref().cycle())), i.ref().toString());
      }
    }
  }

  @Test
  void garbageCollectionWaitsForWritersAndAStaleLockNoLongerBlocksIt() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryBackend backend = new InMemoryBackend(clock);
    try (Repository repo = Repository.open(backend, Repository.options().clock(clock))) {
      ImageWriter w = repo.newImage("busy", ImageKind.FILES, TransferOptions.DEFAULTS);
      SmcException e = assertThrows(SmcException.class, repo::gc);
      assertEquals(ErrorCode.LOCKED, e.code());
      assertTrue(e.isRetryable());
      w.close();
      repo.gc();

      // a writer that stopped refreshing its lock (its timer never fired: no real time passed) blocks gc
      // until, by the backend's time, the lock is stale (10 minutes); gc then removes it and runs
      try (ImageWriter dead = repo.newImage("dead", ImageKind.FILES, TransferOptions.DEFAULTS)) {
        clock.advance(Duration.ofMinutes(9));
        assertEquals(ErrorCode.LOCKED, assertThrows(SmcException.class, repo::gc).code());
        clock.advance(Duration.ofMinutes(2));
        repo.gc();
        assertEquals(List.of(), backend.list("locks/"), "the stale lock was removed, gc's own released");
        SmcException lost = assertThrows(SmcException.class, () -> dead.commit(java.util.Map.of()));
        assertEquals(ErrorCode.LOCKED, lost.code());
        assertTrue(lost.getMessage().contains("lost the lock"), lost.getMessage());
      }
      assertEquals(List.of(), repo.images(), "the writer whose lock was taken committed nothing");
    }
  }

}
