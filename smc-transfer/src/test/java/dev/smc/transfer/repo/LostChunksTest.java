package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleWarning;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.blocks.BlockRestore;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #11, finding 1: a cycle never commits an image that refers to a chunk the repository
 * cannot produce. With a data pack of the parent image deleted, cut short or (with checksum) its
 * trailer damaged, the next cycle reads what was lost from the source again, so its image restores
 * exactly; it says so, and check names the older images that are damaged.
 */
class LostChunksTest {
  @TempDir
  Path tmp;

  enum Damage { DELETE, TRUNCATE, TRAILER }

  /** The largest pack: it holds file data the parent image uses. */
  private static Path largestPack(Path repo) throws IOException {
    try (var files = Files.walk(repo.resolve("data"))) {
      return files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
  }

  private static void damage(Path pack, Damage how) throws IOException {
    switch (how) {
      case DELETE -> Files.delete(pack);
      case TRUNCATE -> {
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
          ch.truncate(ch.size() / 2);
        }
      }
      case TRAILER -> {
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
          long at = f.length() - 20; // inside the trailer's last entry: the size stays, the name no longer matches
          f.seek(at);
          int b = f.read();
          f.seek(at);
          f.write(b ^ 0x5a);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private static String warnings(CycleReport r) {
    return String.join("\n", r.warnings().stream().map(CycleWarning::toString).toList());
  }

  @ParameterizedTest(name = "{0}, checksum {1}")
  @CsvSource({"DELETE, false", "DELETE, true", "TRUNCATE, false", "TRUNCATE, true", "TRAILER, true"})
  void aFileCycleOverALostPackReadsTheLostFilesAgainAndItsImageRestoresExactly(Damage how, boolean checksum)
      throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(src, 11).create(40);
    Trees.write(Trees.join(Trees.bytes(src), "big.bin"), RandomTree.randomBytes(new SplittableRandom(3), 3 << 20));
    Path repoDir = tmp.resolve("repo");
    TransferOptions options = TransferOptions.builder().checksum(checksum).build();
    FileMigration engine = FileMigration.builder().threads(2).build();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      engine.run(repo, src, "web", Excludes.NONE, options);
    }
    Path pack = largestPack(repoDir);
    damage(pack, how);

    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      CycleReport two = engine.run(repo, src, "web", Excludes.NONE, options);
      assertEquals(new ImageRef("web", 2), two.image());
      assertTrue(two.bytesRead() > 0, "the lost files were read again");
      String w = warnings(two);
      assertTrue(w.contains("read again from the source") && w.contains("web-CYCLE_1"), w);
      assertTrue(w.contains(pack.getFileName().toString()), "the damaged pack is named: " + w);
      assertEquals(List.of(), Trees.restoreAndCompare(repo, two.image(), tmp.resolve("restored"), src),
          "web-CYCLE_2 restores exactly");

      // the chunks stored again are the ones web-CYCLE_1 lost: it is whole again; only the damaged pack is left
      // (or not even that: the same chunks in the same order make the same pack, stored again under its name)
      Checker.Report check = repo.check(true);
      assertTrue(check.errors().stream().allMatch(e -> e.contains(pack.getFileName().toString())),
          check.errors().toString());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, new ImageRef("web", 1), tmp.resolve("restored-1"), src),
          "web-CYCLE_1 restores again, from the copies the second cycle stored");

      // garbage collection takes the damaged pack out; the repository checks clean
      GarbageCollector.Result gc = repo.gc();
      assertEquals(0, gc.chunksLost(), gc.toString());
      Checker.Report after = repo.check(true);
      assertTrue(after.ok(), after.errors().toString());

      // and the next cycle over the repaired history reads nothing again
      CycleReport three = engine.run(repo, src, "web", Excludes.NONE, options);
      assertEquals(0, three.bytesRead(), "the third cycle reuses the copies the second stored");
      assertEquals(List.of(), Trees.restoreAndCompare(repo, three.image(), tmp.resolve("restored-3"), src));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"DELETE", "TRUNCATE"})
  void checkNamesTheImagesALostPackDamagesAndGcSalvagesWhatIsLeft(Damage how) throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(src, 13).create(40);
    Trees.write(Trees.join(Trees.bytes(src), "big.bin"), RandomTree.randomBytes(new SplittableRandom(4), 3 << 20));
    Path repoDir = tmp.resolve("repo");
    FileMigration engine = FileMigration.builder().threads(2).build();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    damage(largestDataOnlyPack(repoDir), how); // the images' trees stay readable: what they use is known
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      Checker.Report check = repo.check(false);
      for (String image : List.of("web-CYCLE_1", "web-CYCLE_2")) {
        assertTrue(check.errors().stream().anyMatch(e -> e.contains("image " + image + " is damaged")),
            image + " named: " + check.errors());
        // and which of its files (issue #12, item 6): the big file's data is what the pack held
        assertTrue(check.errors().stream().anyMatch(e -> e.startsWith("image " + image + ": file ")
            && e.contains("chunk(s) lost")), image + "'s damaged files named: " + check.errors());
      }
      GarbageCollector.Result gc = repo.gc();
      assertEquals(how == Damage.DELETE ? List.of() : List.of(largestPackName(gc)), gc.plan().salvage());
      assertTrue(gc.chunksLost() > 0 || how == Damage.DELETE, gc.toString());
      // what a cut pack still held is rewritten; the check now names only the chunks that are really gone
      Checker.Report after = repo.check(true);
      assertTrue(after.errors().stream().allMatch(e -> e.startsWith("image web-CYCLE_")), after.errors().toString());
    }
  }

  /** The largest pack that holds file data only, no piece of a tree. */
  private static Path largestDataOnlyPack(Path repo) throws IOException {
    try (var files = Files.walk(repo.resolve("data"))) {
      return files.filter(Files::isRegularFile).filter(p -> {
        try {
          return PackFormat.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(p)), p.getFileName().toString())
              .stream().allMatch(e -> e.type() == BlobType.DATA);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
  }

  @org.junit.jupiter.api.Test
  void gcRefusesWhileAnImagesTreeIsLostAndNamesTheImage() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(src, 14).create(20);
    Path repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      FileMigration.builder().threads(2).build().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    try (var files = Files.walk(repoDir.resolve("data"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        if (PackFormat.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(p)), p.getFileName().toString()).stream()
            .anyMatch(e -> e.type() == BlobType.TREE)) {
          Files.delete(p);
        }
      }
    }
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      dev.smc.IntegrityException e = org.junit.jupiter.api.Assertions.assertThrows(dev.smc.IntegrityException.class,
          repo::gc);
      assertTrue(e.getMessage().contains("web-CYCLE_1") && e.getMessage().contains("smc forget --image web-CYCLE_1"),
          e.getMessage());
    }
  }

  private static String largestPackName(GarbageCollector.Result gc) {
    return gc.plan().salvage().isEmpty() ? "" : gc.plan().salvage().get(0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"DELETE", "TRUNCATE"})
  void aBlockCycleOverALostPackStoresTheLostBlocksAgainAndItsImageRestoresExactly(Damage how) throws Exception {
    Path disk = tmp.resolve("disk.img");
    Files.write(disk, RandomTree.randomBytes(new SplittableRandom(5), 6 << 20));
    Path repoDir = tmp.resolve("repo");
    BlockMigration engine = BlockMigration.builder().threads(2).build();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      engine.run(repo, disk, "disk", TransferOptions.DEFAULTS);
    }
    damage(largestPack(repoDir), how);
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      CycleReport two = engine.run(repo, disk, "disk", TransferOptions.DEFAULTS);
      assertTrue(two.bytesStored() > 0, "the lost blocks were stored again");
      assertTrue(warnings(two).contains("disk-CYCLE_1"), warnings(two));
      Path restored = tmp.resolve("restored.img");
      new BlockRestore().restore(repo, two.image(), restored);
      assertArrayEquals(Files.readAllBytes(disk), Files.readAllBytes(restored), "disk-CYCLE_2 restores exactly");
      Checker.Report check = repo.check(true);
      assertTrue(check.errors().stream().noneMatch(e -> e.contains("disk-CYCLE_2")), check.errors().toString());
    }
  }

  @org.junit.jupiter.api.Test
  void checkNamesTheDiskRangesALostPackDamages() throws Exception {
    Path disk = tmp.resolve("disk.img");
    Files.write(disk, RandomTree.randomBytes(new SplittableRandom(6), 6 << 20));
    Path repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir),
        Repository.options().packSize(1 << 20))) {
      BlockMigration.builder().threads(2).build().run(repo, disk, "disk", TransferOptions.DEFAULTS);
    }
    damage(largestDataOnlyPack(repoDir), Damage.DELETE);
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      List<String> errors = repo.check(false).errors();
      assertTrue(errors.stream().anyMatch(e -> e.matches("image disk-CYCLE_1: disk bytes \\d+-\\d+ \\(\\d+ block\\(s\\) of"
          + " 4096\\) lost")), errors.toString());
    }
  }

  @ParameterizedTest(name = "checksum {0}")
  @CsvSource({"false", "true"})
  void aLostTreePieceIsStoredAgainRatherThanDeduplicated(boolean checksum) throws Exception {
    // the tree's pieces of an unchanged tree are the same chunks every cycle: they must be stored again too
    Path src = Files.createDirectory(tmp.resolve("src"));
    new RandomTree(src, 12).create(30);
    Path repoDir = tmp.resolve("repo");
    TransferOptions options = TransferOptions.builder().checksum(checksum).build();
    FileMigration engine = FileMigration.builder().threads(2).build();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      engine.run(repo, src, "tree", Excludes.NONE, options);
    }
    // every pack goes: data and tree
    try (var files = Files.walk(repoDir.resolve("data"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Files.delete(p);
      }
    }
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      CycleReport two = engine.run(repo, src, "tree", Excludes.NONE, options);
      assertEquals(List.of(), Trees.restoreAndCompare(repo, two.image(), tmp.resolve("restored"), src));
      Backend b = repo.backend();
      assertTrue(b.list("data/").size() > 0);
    }
  }
}
