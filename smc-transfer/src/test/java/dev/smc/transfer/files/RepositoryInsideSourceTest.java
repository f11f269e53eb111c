package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository inside the source it copies (issue #11, item 1): it used to be stored into itself
 * every cycle, 21 MB growing to 48 MB over four cycles of an unchanged tree. The file engine now
 * leaves it out, found by device and inode whatever path it was opened by, and says so; a source
 * that is the repository, or lies inside it, is refused.
 */
class RepositoryInsideSourceTest {
  @TempDir
  Path tmp;

  private Path server() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("server/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    byte[] db = new byte[2 << 20];
    new Random(11).nextBytes(db);
    Files.write(Files.createDirectories(tmp.resolve("server/var/lib")).resolve("db.bin"), db);
    return src.getParent();
  }

  private static FileMigration engine() {
    return FileMigration.builder().threads(2).build();
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void aRepositoryInsideTheSourceIsLeftOutOfEveryCycleWithAWarningAndDoesNotGrow() throws Exception {
    Path src = server();
    Path repoDir = src.resolve("srv/smc-repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      CycleReport first = engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(1, first.warnings().size(), first.warnings().toString());
      assertEquals("srv/smc-repo", first.warnings().get(0).path());
      assertTrue(first.warnings().get(0).reason().contains("left out: the repository " + repoDir), first.warnings()
          .toString());
      long afterFirst = bytes(repoDir);
      for (int cycle = 2; cycle <= 4; cycle++) {
        CycleReport r = engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
        assertEquals(cycle, r.image().cycle());
        assertEquals(0, r.chunksNew(), "cycle " + cycle + " of an unchanged tree stored new chunks: " + r);
        assertEquals(first.filesScanned(), r.filesScanned(), "the repository's files were walked");
      }
      // four cycles of an unchanged tree add only their small trees, indexes and manifests
      assertTrue(bytes(repoDir) < afterFirst + (64 << 10), afterFirst + " -> " + bytes(repoDir));
      Path restored = tmp.resolve("restored");
      new FileRestore(2).restore(repo, first.image(), restored);
      assertTrue(Files.isDirectory(restored.resolve("srv")), "the folder holding the repository is kept");
      assertFalse(Files.exists(restored.resolve("srv/smc-repo")), "the repository was copied into its image");
      assertEquals(List.of(), TreeCompare.differences(Trees.bytes(src), Trees.bytes(restored),
          Excludes.of(List.of("/srv/smc-repo/"))));
    }
  }

  @Test
  void aRepositoryOpenedThroughASymlinkIsStillRecognisedInsideTheSource() throws Exception {
    Path src = server();
    Files.createDirectories(src.resolve("data"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), src.resolve("data"));
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(link.resolve("repo")))) {
      CycleReport r = engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(List.of("data/repo"), r.warnings().stream().map(w -> w.path()).toList());
      CycleReport again = engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(0, again.chunksNew(), again.toString());
    }
  }

  @Test
  void aRepositoryBindMountedIntoTheSourceIsLeftOutToo() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "bind mounts need root");
    Path src = server();
    Path repoDir = tmp.resolve("elsewhere/repo");
    Path mountPoint = Files.createDirectories(src.resolve("mnt/repo"));
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      run("mount", "--bind", repoDir.toString(), mountPoint.toString());
      try {
        CycleReport r = engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
        assertEquals(List.of("mnt/repo"), r.warnings().stream().map(w -> w.path()).toList(), r.warnings().toString());
        assertEquals(0, engine().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS).chunksNew());
      } finally {
        run("umount", mountPoint.toString());
      }
    }
  }

  @Test
  void aSourceThatIsTheRepositoryOrLiesInsideItIsRefusedNamingBoth() throws Exception {
    Path repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      SmcException same = assertThrows(SmcException.class,
          () -> engine().run(repo, repoDir, "web", Excludes.NONE, TransferOptions.DEFAULTS));
      assertEquals(ErrorCode.INVALID_SPEC, same.code());
      assertTrue(same.getMessage().contains("source " + repoDir + " is the repository " + repoDir), same.getMessage());
      Path data = Files.createDirectories(repoDir.resolve("data"));
      SmcException inside = assertThrows(SmcException.class,
          () -> engine().run(repo, data, "web", Excludes.NONE, TransferOptions.DEFAULTS));
      assertTrue(inside.getMessage().contains("is inside the repository " + repoDir), inside.getMessage());
      assertEquals(List.of(), repo.images(), "a refused cycle made an image");
    }
  }

  @Test
  void aFolderGivenToLeaveOutIsLeftOutWhereverItIs() throws Exception {
    Path src = server();
    Path cache = Files.createDirectories(src.resolve("root/.cache/smc"));
    Files.writeString(cache.resolve("index.cache"), "changes every cycle");
    try (Repository repo = Repository.open(new dev.smc.transfer.backend.InMemoryBackend())) {
      CycleReport r = FileMigration.builder().leaveOut(cache).build().run(repo, src, "web", Excludes.NONE,
          TransferOptions.DEFAULTS);
      assertEquals(List.of("root/.cache/smc"), r.warnings().stream().map(w -> w.path()).toList());
      assertTrue(r.warnings().get(0).reason().contains("smc's folder " + cache), r.warnings().toString());
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
  }
}
