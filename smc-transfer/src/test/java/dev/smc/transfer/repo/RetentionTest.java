package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forget and gc give the space of old images back; kept and pinned images still restore exactly. */
class RetentionTest {
  private static final int CYCLES = 5;

  @TempDir
  Path tmp;

  private Path src;
  private Path repoDir;

  /** Five cycles; each replaces 1 MiB of data only that cycle holds, plus random changes. */
  @BeforeEach
  void fiveCycles() throws Exception {
    src = Files.createDirectory(tmp.resolve("src"));
    repoDir = tmp.resolve("repo");
    RandomTree tree = new RandomTree(src, 77);
    tree.create(25);
    try (Repository repo = open()) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      for (int c = 1; c <= CYCLES; c++) {
        if (c > 1) {
          tree.mutate(5);
        }
        byte[] unique = new byte[1 << 20];
        new Random(c).nextBytes(unique);
        Trees.write(Trees.join(Trees.bytes(src), "only-in-this-cycle.bin"), unique);
        engine.run(repo, src, "ret", Excludes.NONE, TransferOptions.DEFAULTS);
        Trees.snapshot(src, tmp.resolve("at-" + c));
      }
    }
  }

  private Repository open() throws IOException {
    return Repository.open(LocalFolderBackend.openWithoutSync(repoDir), Repository.options().packSize(256 * 1024));
  }

  /** Bytes of the files under data/, as the file system has them. */
  private long dataBytes() throws IOException {
    return Trees.fileBytes(repoDir.resolve("data"));
  }

  private Map<Path, Long> packFiles() throws IOException {
    Map<Path, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(repoDir.resolve("data"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(repoDir.relativize(p), Files.size(p));
      }
    }
    return m;
  }

  private void assertRestoresAsAtItsCycle(Repository repo, ImageRef ref) throws IOException {
    assertEquals(List.of(), Trees.restoreAndCompare(repo, ref, tmp.resolve("restored-" + ref.cycle()),
        tmp.resolve("at-" + ref.cycle())), ref + " differs from the source at its cycle");
  }

  @Test
  void forgetKeepingTwoAndGcGiveTheSpaceBackAndTheKeptImagesStillRestore() throws Exception {
    try (Repository repo = open()) {
      long before = dataBytes();
      List<ImageRef> removed = repo.forget("ret", 2);
      assertEquals(List.of(new ImageRef("ret", 3), new ImageRef("ret", 2), new ImageRef("ret", 1)),
          removed.stream().sorted((a, b) -> b.cycle() - a.cycle()).toList());
      assertEquals(before, dataBytes(), "forget alone frees no data (only gc does)");

      GarbageCollector.Result gc = repo.gc();
      long after = dataBytes();
      assertTrue(after < before - 3 * (1 << 20), "data/ went from " + before + " to " + after + " bytes; the three"
          + " forgotten cycles alone held 3 MiB no kept image uses");
      assertEquals(gc.bytesAfter(), after);
      assertEquals(List.of(new ImageRef("ret", 4), new ImageRef("ret", 5)),
          repo.images().stream().map(ImageInfo::ref).toList());
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), "check after forget and gc: " + check.errors());
    }
    try (Repository repo = open()) { // a later process sees the same
      assertRestoresAsAtItsCycle(repo, new ImageRef("ret", 4));
      assertRestoresAsAtItsCycle(repo, new ImageRef("ret", 5));
    }
  }

  @Test
  void aPinnedImageSurvivesForgetAndGc() throws Exception {
    try (Repository repo = open()) {
      ImageRef first = new ImageRef("ret", 1);
      repo.pin(first, true);
      assertTrue(repo.image(first).orElseThrow().pinned());
      List<ImageRef> removed = repo.forget("ret", 1);
      assertEquals(3, removed.size(), "removed " + removed);
      assertTrue(!removed.contains(first), "a pinned image was forgotten");
      repo.gc();
      List<ImageInfo> left = repo.images();
      assertEquals(List.of(first, new ImageRef("ret", 5)), left.stream().map(ImageInfo::ref).toList());
      assertTrue(left.get(0).pinned());
      assertTrue(repo.check(true).ok());
      assertRestoresAsAtItsCycle(repo, first);
      assertRestoresAsAtItsCycle(repo, new ImageRef("ret", 5));

      repo.pin(first, false);
      assertEquals(List.of(first), repo.forget("ret", 1), "an unpinned image is forgotten again");
    }
  }

  @Test
  void gcOnAnUnchangedRepositoryDeletesNothing() throws Exception {
    try (Repository repo = open()) {
      GarbageCollector.Plan plan = repo.planGc();
      assertEquals(List.of(), plan.delete(), "packs planned for deletion while every image is kept: " + plan);
      assertEquals(List.of(), plan.repack(), "packs planned for rewriting while every image is kept: " + plan);
      assertEquals(0, plan.bytesFreed());
      Map<Path, Long> packs = packFiles();
      GarbageCollector.Result gc = repo.gc();
      assertEquals(packs, packFiles(), "gc changed the packs of a repository where every chunk is used");
      assertEquals(gc.bytesBefore(), gc.bytesAfter());
      repo.gc();
      assertEquals(packs, packFiles(), "a second gc changed the packs");
      assertTrue(repo.check(true).ok());
      for (ImageInfo i : repo.images()) {
        assertRestoresAsAtItsCycle(repo, i.ref());
      }
    }
  }
}
