package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.files.Trees;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check verifies structure; with read-data it verifies every byte, and finds one flipped byte anywhere in a pack. */
class RepositoryCheckTest {
  @TempDir
  Path tmp;

  private CycleReport migrateSmallTree(Repository repo, int level) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(9);
    for (int i = 0; i < 3; i++) {
      byte[] b = new byte[100_000 + i * 7_000];
      r.nextBytes(b);
      if (level > 0) {
        java.util.Arrays.fill(b, 0, 30_000, (byte) 'x'); // compressible, so codecs other than NONE are stored
      }
      Trees.write(Trees.join(Trees.bytes(src), "f" + i), b);
    }
    return FileMigration.builder().threads(2).build().run(repo, src, "chk", Excludes.NONE,
        TransferOptions.builder().compressionLevel(level).build());
  }

  private static Backend.ObjectInfo largestPack(Backend b) throws Exception {
    return b.list("data/").stream().max(Comparator.comparingLong(Backend.ObjectInfo::size)).orElseThrow();
  }

  @Test
  void checkReadDataCatchesOneFlippedByteInAPackThatTheStructureCheckCannotSee() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    try (Repository repo = Repository.open(backend)) {
      migrateSmallTree(repo, 0);
      assertTrue(repo.check(true).ok(), "a fresh repository does not check clean: " + repo.check(true).errors());
      Backend.ObjectInfo pack = largestPack(backend);
      long at = StoredChunks.insideData(backend, pack.name());
      backend.corrupt(pack.name(), at);

      Checker.Report full = repo.check(true);
      assertFalse(full.ok(), "check --read-data missed a flipped byte in " + pack.name());
      String id = Repository.packOf(pack.name());
      assertTrue(full.errors().stream().anyMatch(e -> e.contains(id)), "no error names the damaged pack: "
          + full.errors());
      Checker.Report structure = repo.check(false);
      assertTrue(structure.ok(), "the structure check failed on a flipped data byte: " + structure.errors());

      backend.corrupt(pack.name(), at); // flips it back
      assertTrue(repo.check(true).ok());
    }
  }

  @Test
  void checkReadDataReportsAFlippedByteAnywhereInAPackAndNeverThrows() throws Exception {
    for (int level : new int[] {0, 1, 4}) {
      InMemoryBackend backend = new InMemoryBackend();
      try (Repository repo = Repository.open(backend, Repository.options().packSize(1 << 20))) {
        migrateSmallTree(repo, level);
        Backend.ObjectInfo pack = largestPack(backend);
        int trailer = PackFormat.trailerSize(PackFormat.parse(backend.get(pack.name()), "p").size());
        long trailerStart = pack.size() - trailer;
        java.util.List<Long> positions = new java.util.ArrayList<>();
        for (long at = 0; at < trailerStart; at += 9_973) {
          positions.add(at); // a sample of the chunk data
        }
        for (long at = trailerStart; at < pack.size(); at++) {
          positions.add(at); // every byte of the trailer
        }
        for (long at : positions) {
          backend.corrupt(pack.name(), at);
          Checker.Report r = repo.check(true);
          assertFalse(r.ok(), "level " + level + ": check --read-data missed the byte flipped at " + at + " of "
              + pack.size() + " (trailer from " + trailerStart + ")");
          backend.corrupt(pack.name(), at);
        }
        assertTrue(repo.check(true).ok());
      }
    }
  }

  @Test
  void aByteFlippedInAPackFileOnDiskIsFoundAndRestoreRefusesTheDamagedChunk() throws Exception {
    Path dir = tmp.resolve("repo");
    try (LocalFolderBackend backend = LocalFolderBackend.openWithoutSync(dir); Repository repo = Repository.open(backend)) {
      CycleReport r = migrateSmallTree(repo, 0);
      Backend.ObjectInfo pack = largestPack(backend);
      long at = StoredChunks.insideData(backend, pack.name());
      try (RandomAccessFile f = new RandomAccessFile(dir.resolve(pack.name()).toFile(), "rw")) {
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x01);
      }
      assertFalse(repo.check(true).ok(), "check --read-data missed a flipped bit in " + pack.name());
      assertTrue(repo.check(false).ok(), "the structure check failed on a flipped data bit");
      SmcException e = assertThrows(SmcException.class, () -> new FileRestore(2).restore(repo, r.image(),
          tmp.resolve("restored")), "a restore wrote a damaged chunk");
      assertEquals(ErrorCode.INTEGRITY, e.code(), e.toString());
    }
  }
}
