package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.testkit.FaultyBackend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.internal.HostIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, findings 4, 5 and 6: a manifest is accepted only under its own name and a damaged one
 * leaves the rest usable; check never writes; a config that is not exactly one smc wrote is refused;
 * the partial files of killed writers are removed.
 */
class RepositoryHygieneTest {
  @TempDir
  Path tmp;

  private final FileMigration engine = FileMigration.builder().threads(2).build();

  private Repository open(Path dir) throws IOException {
    return Repository.open(LocalFolderBackend.openWithoutSync(dir));
  }

  private Path source(String name, long seed) throws IOException {
    Path src = Files.createDirectory(tmp.resolve(name));
    new RandomTree(src, seed).create(20);
    return src;
  }

  /** Path, size and SHA-256 of every file below {@code dir}. */
  private static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(p);
        out.put(dir.relativize(p).toString(), b.length + " "
            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
      }
    }
    return out;
  }

  @Test
  void aManifestCopiedOverAnotherIsRefusedNotRestoredAsTheWrongImage() throws Exception {
    Path web = source("web", 1);
    Path db = source("db", 2);
    Path dir = tmp.resolve("repo");
    try (Repository repo = open(dir)) {
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      engine.run(repo, db, "db", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    Files.copy(dir.resolve("images/db-CYCLE_1"), dir.resolve("images/web-CYCLE_1"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (Repository repo = open(dir)) {
      IntegrityException e = assertThrows(IntegrityException.class,
          () -> Trees.restoreAndCompare(repo, new ImageRef("web", 1), tmp.resolve("restored"), web));
      assertTrue(e.getMessage().contains("the manifest of image db-CYCLE_1"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("restored").resolve("etc")), "nothing of db was restored as web");
      assertEquals(List.of(new ImageRef("db", 1)), repo.images().stream().map(ImageInfo::ref).toList());
      assertTrue(repo.imageProblems().get(0).contains("images/web-CYCLE_1"), repo.imageProblems().toString());
      Checker.Report check = repo.check(true);
      assertTrue(check.errors().stream().anyMatch(m -> m.contains("web-CYCLE_1") && m.contains("db-CYCLE_1")),
          check.errors().toString());
    }
  }

  @Test
  void aDamagedManifestOrAStrayFileLeavesTheRestUsableAndTheNextCycleRuns() throws Exception {
    Path web = source("web", 3);
    Path db = source("db", 4);
    Path dir = tmp.resolve("repo");
    try (Repository repo = open(dir)) {
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      engine.run(repo, db, "db", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    Files.writeString(dir.resolve("images/web-CYCLE_2"), "smc-image 1\nref=web-CYCLE_2\ngarbage\n");
    Files.writeString(dir.resolve("images/notes.txt"), "someone's notes");
    try (Repository repo = open(dir)) {
      assertEquals(List.of(new ImageRef("db", 1), new ImageRef("web", 1)),
          repo.images().stream().map(ImageInfo::ref).toList(), "every readable image is listed");
      List<String> problems = repo.imageProblems();
      assertEquals(2, problems.size(), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.contains("web-CYCLE_2")), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.contains("images/notes.txt")), problems.toString());

      // the next cycle of web runs on top of the newest readable image, after the highest number taken
      CycleReport next = engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(new ImageRef("web", 3), next.image());
      assertEquals(0, next.bytesRead(), "web-CYCLE_1 served as the parent: nothing was read");
      assertEquals(new ImageRef("web", 1), repo.image(next.image()).orElseThrow().parent().orElseThrow());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, next.image(), tmp.resolve("restored"), web));

      // gc will not guess what the damaged image used; deleting it lets gc run
      IntegrityException gc = assertThrows(IntegrityException.class, repo::gc);
      assertTrue(gc.getMessage().contains("web-CYCLE_2"), gc.getMessage());
      repo.delete(new ImageRef("web", 2));
      repo.gc();
      assertEquals(List.of(), Trees.restoreAndCompare(repo, new ImageRef("db", 1), tmp.resolve("restored-db"), db));
    }
  }

  @Test
  void checkNeverWritesToTheRepositoryEvenWithAPackNoIndexLists() throws Exception {
    Path web = source("web", 5);
    Trees.write(Trees.join(Trees.bytes(web), "big.bin"), RandomTree.randomBytes(new java.util.SplittableRandom(1),
        3 << 20));
    Path dir = tmp.resolve("repo");
    try (Repository repo = open(dir)) {
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    // a cycle killed after its first pack: a pack no index lists
    Trees.write(Trees.join(Trees.bytes(web), "more.bin"), RandomTree.randomBytes(new java.util.SplittableRandom(2),
        3 << 20));
    FaultyBackend faulty = new FaultyBackend(LocalFolderBackend.openWithoutSync(dir));
    faulty.failPutsStartingWith("index/");
    try (Repository repo = Repository.open(faulty, Repository.options().packSize(1 << 20))) {
      assertThrows(Exception.class, () -> engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS));
    }
    Map<String, String> before = snapshot(dir);
    try (Repository repo = open(dir)) {
      Checker.Report structure = repo.check(false);
      Checker.Report data = repo.check(true);
      assertTrue(data.ok(), data.errors().toString());
      assertTrue(structure.notes().stream().anyMatch(n -> n.contains("not listed in any index")),
          structure.notes().toString());
    }
    assertEquals(before, snapshot(dir), "check changed the repository");
  }

  @Test
  void aConfigThatIsNotExactlyOneSmcWroteIsRefused() throws Exception {
    Path dir = tmp.resolve("repo");
    try (Repository repo = open(dir)) {
      engine.run(repo, source("web", 6), "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    String good = Files.readString(dir.resolve("config"));
    assertTrue(good.matches("(?s)smc-repository\nversion=1\nid=[0-9a-f]{32}\nhash=sha256\nchunker=fixed\n"
        + "chunkSize=65536\nsha256=[0-9a-f]{64}\n"), good);
    Map<String, String> edits = Map.of(
        good.replace("chunkSize=65536", "chunkSize=131072"), "seal does not match",
        good.replace("hash=sha256", "hash=md5"), "seal does not match",
        good.replaceAll("sha256=[0-9a-f]{64}\n", "").replace("hash=sha256", "hash=md5"), "hash 'md5'",
        good.replaceAll("sha256=[0-9a-f]{64}\n", "").replace("chunkSize=65536", "chunkSize=1000"), "chunkSize '1000'",
        good.replaceAll("sha256=[0-9a-f]{64}\n", "") + "extra=1\n", "fields",
        good.replace("version=1", "version=2"), "seal does not match",
        "smc-repository\n", "fields");
    for (Map.Entry<String, String> e : edits.entrySet()) {
      Files.writeString(dir.resolve("config"), e.getKey());
      IntegrityException x = assertThrows(IntegrityException.class, () -> open(dir), e.getKey());
      assertTrue(x.getMessage().contains("'config'") || x.getMessage().contains("version"), x.getMessage());
      assertTrue(x.getMessage().contains(e.getValue()), e.getKey() + " -> " + x.getMessage());
    }
    // the unsealed config of earlier builds is still read
    Files.writeString(dir.resolve("config"), good.replaceAll("sha256=[0-9a-f]{64}\n", ""));
    try (Repository repo = open(dir)) {
      assertEquals(1, repo.images().size());
    }
  }

  @Test
  void partialFilesOfKilledWritersAreRemovedByTheNextWriterAndByGc() throws Exception {
    Path dir = tmp.resolve("repo");
    Path web = source("web", 7);
    try (Repository repo = open(dir)) {
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    // a writer that died on this host: its pid is gone
    Process p = new ProcessBuilder("true").start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    HostIdentity me = HostIdentity.self();
    String space = me.pidSpace == null ? "0" : Integer.toHexString(me.pidSpace.hashCode());
    Path dead = dir.resolve("tmp/" + space + "-" + p.pid() + "-1-77.tmp");
    Files.write(dead, new byte[16 << 20]);
    // one of an older build, untouched for two days; and a fresh one of unknown origin, which stays
    Path old = dir.resolve("tmp/0123456789abcdef.tmp");
    Files.write(old, new byte[1000]);
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Path fresh = dir.resolve("tmp/fedcba9876543210.tmp");
    Files.write(fresh, "being written elsewhere".getBytes(StandardCharsets.UTF_8));
    try (Repository repo = open(dir)) {
      engine.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertFalse(Files.exists(dead), "the dead writer's partial pack was removed");
      assertFalse(Files.exists(old), "the abandoned temporary file was removed");
      assertTrue(Files.exists(fresh), "a recent file that may be a live writer's stays");
      Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
      repo.gc();
      assertFalse(Files.exists(fresh), "gc removes abandoned temporary files too");
    }
  }
}
