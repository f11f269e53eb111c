package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.repo.StoredChunks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the receiver's tests check after a cycle: every image restores exactly, both over HTTPS and
 * from the receiver's folder opened directly; the repository checks clean reading all data; no
 * chunk is stored twice. Also a fingerprint of a folder (every file's path, size and SHA-256).
 */
final class CycleChecks {
  /** Small packs, so a cycle of a few MiB makes dozens of uploads for faults to fall into. */
  static final int PACK_SIZE = 256 * 1024;

  private CycleChecks() {}

  /**
   * A small seeded tree of incompressible files (about 2.5 MiB in 20 files of 30-230 KiB over three
   * folders), a duplicate, an empty file and a symlink: a dozen packs, quick to send and restore.
   */
  static Path smallTree(Path src, long seed) throws IOException {
    Files.createDirectories(src);
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] root = Trees.bytes(src);
    byte[] first = null;
    for (int i = 0; i < 20; i++) {
      byte[] d = Trees.join(root, "d" + i % 3);
      Trees.mkdirs(d);
      byte[] content = new byte[30_000 + rnd.nextInt(200_000)];
      rnd.nextBytes(content);
      first = first == null ? content : first;
      Trees.write(Trees.join(d, "file-" + i + ".bin"), content);
    }
    Trees.write(Trees.join(root, "copy-of-file-0.bin"), first);
    Trees.write(Trees.join(root, "empty"), new byte[0]);
    Trees.POSIX.symlink(PathBytes.of("d1/file-1.bin"), Trees.join(root, "link"));
    return src;
  }

  static Repository repository(Backend backend) throws IOException {
    return Repository.open(backend, Repository.options().packSize(PACK_SIZE));
  }

  static CycleReport cycle(Repository repo, Path src, String image, TransferOptions options) throws IOException {
    return FileMigration.builder().threads(2).build().run(repo, src, image, Excludes.NONE, options);
  }

  /**
   * Every image in {@code expected} restores to exactly its snapshot over {@code https} and from
   * the receiver's folder {@code folder}; both check clean with read-data; no chunk is in two packs.
   * Closes {@code https}.
   */
  static void assertRestoresAndChecksClean(Backend https, Path folder, Map<ImageRef, Path> expected, Path work)
      throws IOException {
    try (Repository remote = repository(https)) {
      assertImagesRestore(remote, expected, work.resolve("over-https"));
      assertClean(remote, "over HTTPS");
    }
    assertRestoresFromFolderAndChecksClean(folder, expected, work.resolve("from-folder"));
  }

  /** As {@link #assertRestoresAndChecksClean}, from the receiver's folder {@code folder} only. */
  static void assertRestoresFromFolderAndChecksClean(Path folder, Map<ImageRef, Path> expected, Path work)
      throws IOException {
    try (Repository direct = repository(LocalFolderBackend.open(folder))) {
      assertImagesRestore(direct, expected, work);
      assertClean(direct, "from the receiver's folder");
      assertNoChunkStoredTwice(direct.backend());
    }
  }

  private static void assertImagesRestore(Repository repo, Map<ImageRef, Path> expected, Path into) throws IOException {
    Files.createDirectories(into);
    for (Map.Entry<ImageRef, Path> e : expected.entrySet()) {
      Path target = into.resolve(e.getKey().name() + "-" + e.getKey().cycle());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, e.getKey(), target, e.getValue()),
          e.getKey() + " restored from " + repo.backend().location());
    }
  }

  private static void assertClean(Repository repo, String how) throws IOException {
    Checker.Report check = repo.check(true);
    assertTrue(check.ok(), "check --read-data " + how + ": " + check.errors());
  }

  static void assertNoChunkStoredTwice(Backend backend) throws IOException {
    List<ChunkId> entries = StoredChunks.entries(backend);
    Set<ChunkId> seen = new HashSet<>();
    List<ChunkId> twice = entries.stream().filter(id -> !seen.add(id)).toList();
    assertEquals(List.of(), twice, "chunks stored in more than one pack of " + backend.location());
  }

  /** Stored bytes of the chunks {@code folder}'s packs hold (each chunk once). */
  static long storedChunkBytes(Path folder) throws IOException {
    try (LocalFolderBackend b = LocalFolderBackend.open(folder)) {
      return StoredChunks.in(b).values().stream().mapToLong(Integer::longValue).sum();
    }
  }

  /** Every regular file below {@code root}: its relative path, and its size and SHA-256. */
  static Map<String, String> folderState(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          out.put(root.relativize(p).toString(), Files.size(p) + " " + sha256(p));
        }
      }
    }
    return out;
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] b = new byte[65536];
      for (int n; (n = in.read(b)) > 0; ) {
        md.update(b, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
