package dev.smc.examples.cli;

import static dev.smc.examples.cli.CliRun.ok;
import static dev.smc.examples.cli.CliRun.smc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.smc.testkit.PackDamage;
import dev.smc.transfer.files.TreeCompare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial review's hostile input (issue #11, items 8 and 6), each finding run as it was
 * reported, in-process: bad input exits 2 with one line naming the option, the value and what is
 * allowed, and creates nothing; what is not bad input but an anomaly is said in the report.
 */
class HostileInputTest {
  @TempDir
  Path tmp;

  private Path src;
  private Path repo;




  private static void assertBadInput(CliRun r, String... said) {
    assertEquals(2, r.code(), "exit code; stderr: " + r.err() + r.out());
    assertEquals(1, r.err().lines().count(), "stderr is one line: " + r.err());
    for (String s : said) {
      assertTrue(r.err().contains(s), "stderr '" + r.err().strip() + "' does not say " + s);
    }
    assertEquals("", r.out(), "stdout on bad input");
  }

  @BeforeEach
  void aSmallServer() throws IOException {
    src = tmp.resolve("server");
    repo = tmp.resolve("repo");
    Random rnd = new Random(7);
    for (int i = 0; i < 10; i++) {
      Files.writeString(Files.createDirectories(src.resolve("etc/app")).resolve("conf-" + i), "key = " + rnd.nextInt());
    }
    byte[] db = new byte[3 << 20];
    rnd.nextBytes(db);
    Files.write(Files.createDirectories(src.resolve("var/lib")).resolve("db.bin"), db);
  }

  private String[] migrate(Path source, Path repository, String... extra) {
    return Stream.concat(Stream.of("migrate", "--source", source.toString(), "--repo", repository.toString(),
        "--image-name", "web"), Stream.of(extra)).toArray(String[]::new);
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static Path fifo(Path p) throws IOException, InterruptedException {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
    assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0);
    return p;
  }

  // ------------------------------------------------------------------ 1. a repository in its source

  @Test
  void aRepositoryInsideTheSourceIsLeftOutSoFourEmptyCyclesDoNotGrowIt() throws IOException {
    Path inside = src.resolve("srv/smc-repo");
    CliRun first = ok(migrate(src, inside));
    assertTrue(first.err().contains("warning: srv/smc-repo: left out: the repository " + inside), first.err());
    long after = bytes(inside);
    for (int cycle = 2; cycle <= 4; cycle++) {
      CliRun r = ok(migrate(src, inside, "--json"));
      assertTrue(r.out().contains("\"image\": \"web-CYCLE_" + cycle + "\"") && r.out().contains("\"chunksNew\": 0,"),
          r.out());
    }
    assertTrue(bytes(inside) < after + (64 << 10), "the repository grew from " + after + " to " + bytes(inside));
  }

  @Test
  void aRepositoryThatIsTheSourceOrHoldsItIsRefusedNamingBothAndNothingIsWrittenThere() throws IOException {
    assertBadInput(smc(migrate(src, src)), "migrate: --source '" + src + "' and --repo '" + src
        + "' are the same folder");
    try (Stream<Path> s = Files.list(src)) {
      assertEquals(List.of("etc", "var"), s.map(p -> p.getFileName().toString()).sorted().toList(),
          "the refused migrate wrote into the source");
    }
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), src);
    assertBadInput(smc(migrate(src, alias)), "are the same folder");
    ok(migrate(src, repo));
    Files.createDirectories(repo.resolve("data"));
    assertBadInput(smc(migrate(repo.resolve("data"), repo)), "is inside the repository --repo '" + repo + "'");
  }

  // ------------------------------------------------------------------ 2. image names

  @Test
  void anAccentedImageNameIsRefusedUpFrontBeforeAnythingIsSent() {
    CliRun r = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "w\u00e9b");
    assertBadInput(r, "--image-name", "'w\u00e9b'", "ASCII letters", "A-Z a-z");
    assertFalse(Files.exists(repo), "a refused migrate created the repository");
  }

  // ------------------------------------------------------------------ 3. restore into the repository

  @Test
  void aRestoreTargetInsideTheRepositoryIsRefusedAndTheRepositoryStaysClean() throws IOException {
    ok(migrate(src, repo));
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), repo);
    for (Path t : List.of(repo, repo.resolve("restored"), alias.resolve("restored"))) {
      assertBadInput(smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", t.toString()),
          "restore: --target '" + t + "'", "outside the repository " + repo);
    }
    assertFalse(Files.exists(repo.resolve("restored")));
    ok("check", "--repo", repo.toString(), "--read-data");
  }

  // ------------------------------------------------------------------ 4. post-snapshot hook

  @Test
  void aFailingPostSnapshotHookExitsFourSayingTheImageWasMade() throws IOException {
    CliRun r = smc(migrate(src, repo, "--post-snapshot", "echo cannot thaw; exit 3"));
    assertEquals(4, r.code(), r.err() + r.out());
    assertTrue(r.out().startsWith("web-CYCLE_1: full cycle"), "the report of the image made: " + r.out());
    assertTrue(r.err().contains("smc migrate: error: image web-CYCLE_1 was made, but the post-snapshot hook failed:")
        && r.err().contains("exited 3: cannot thaw") && r.err().contains("the image is kept"), r.err());
    assertTrue(ok("images", "--repo", repo.toString()).out().contains("web-CYCLE_1"));
    CliRun json = smc(migrate(src, repo, "--json", "--post-snapshot", "exit 3"));
    assertEquals(4, json.code());
    assertTrue(json.out().contains("\"image\": \"web-CYCLE_2\"") && json.out().contains("\"postSnapshotError\": \"image"
        + " web-CYCLE_2 was made, but the post-snapshot hook failed"), json.out());
    assertEquals(0, smc(migrate(src, repo, "--post-snapshot", "true")).code());
  }

  // ------------------------------------------------------------------ 5. FIFOs, procfs, empty disks

  @Test
  void aFifoAsSourceOrExcludeFileIsRefusedAtOnceInsteadOfHanging() throws Exception {
    Path fifo = fifo(tmp.resolve("fifo"));
    assertBadInput(smc(migrate(fifo, repo)), "--source", "'" + fifo + "'", "is a FIFO", "allowed a folder");
    assertBadInput(smc(migrate(src, repo, "--exclude-from", fifo.toString())),
        "--exclude-from '" + fifo + "'", "is a FIFO", "allowed a regular file");
    assertBadInput(smc(migrate(src, repo, "--exclude-from", tmp.toString())), "--exclude-from", "is a folder");
    assertFalse(Files.exists(repo), "a refused migrate created the repository");
  }

  @Test
  void aProcfsFileOrAnEmptyDiskImageIsRefusedInsteadOfMakingAnEmptyImage() throws IOException {
    assertBadInput(smc(migrate(Path.of("/proc/self/status"), repo)), "--source", "'/proc/self/status'",
        "kernel interface");
    assertBadInput(smc(migrate(Files.createFile(tmp.resolve("empty.img")), repo)), "--source", "is an empty file");
    assertBadInput(smc(migrate(Path.of("/dev/zero"), repo)), "--source", "is a character device");
    assertFalse(Files.exists(repo));
  }

  // ------------------------------------------------------------------ 6. one exclude syntax

  @Test
  void aBackwardsClassRangeIsRefusedByMigrateInAnExcludeFileAndByTaskCreate() throws IOException {
    assertBadInput(smc(migrate(src, repo, "--exclude", "[z-a]")), "--exclude = '[z-a]'", "not [z-a]");
    Path list = Files.writeString(tmp.resolve("excludes"), "var/cache/\n# comment\n[z-a]\n");
    assertBadInput(smc(migrate(src, repo, "--exclude-from", list.toString())),
        "--exclude-from '" + list + "': line 3 '[z-a]'", "not [z-a]");
    assertBadInput(smc("task", "create", "--home", tmp.resolve("home").toString(), "--name", "web", "--source",
        src.toString(), "--image-name", "web", "--exclude", "[z-a]"), "--exclude = '[z-a]'");
    assertFalse(Files.exists(tmp.resolve("home")), "a refused task create made a home");
  }

  // ------------------------------------------------------------------ 7. excludes that leave nothing

  @Test
  void anExcludeOfEverythingWarnsThatTheImageIsEmpty() {
    CliRun r = ok(migrate(src, repo, "--exclude", "*"));
    assertTrue(r.err().contains("warning: /: the excludes left nothing of the source but its root folder"), r.err());
  }

  // ------------------------------------------------------------------ 8. symlinks in the target

  @Test
  void aSymlinkedTargetFolderIsResolvedAndReportedAndASymlinkTargetIsRefused() throws IOException {
    ok(migrate(src, repo));
    Path real = Files.createDirectories(tmp.resolve("disks/big"));
    Path link = Files.createSymbolicLink(tmp.resolve("big"), real);
    CliRun r = ok("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", link.resolve("web")
        .toString(), "--json");
    assertTrue(r.out().contains("\"target\": \"" + real.toRealPath().resolve("web") + "\""), r.out());
    assertEquals(List.of(), TreeCompare.differences(bytes(src.toString()), bytes(real.resolve("web").toString())));
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    Path finalLink = Files.createSymbolicLink(tmp.resolve("through"), empty);
    assertBadInput(smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target",
        finalLink.toString()), "--target '" + finalLink + "'", "not a symlink");
    try (Stream<Path> s = Files.list(empty)) {
      assertEquals(0, s.count(), "the restore wrote through a symlink");
    }
  }

  private static byte[] bytes(String p) {
    return p.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ 9. failed restores

  @Test
  void aRestoreOfDamagedDataExitsOneNamingTheFileAndLeavesNothingUnlessKeepPartial() throws IOException {
    ok(migrate(src, repo));
    PackDamage.flipDataByte(repo);
    Path target = tmp.resolve("restored");
    CliRun r = smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", target.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("smc restore: error: restore of web-CYCLE_1 into " + target + ": reading "
        + target + "/var/lib/db.bin: "), r.err());
    assertTrue(r.err().contains("what it wrote was removed"), r.err());
    assertFalse(Files.exists(target));

    CliRun kept = smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", target.toString(),
        "--keep-partial");
    assertEquals(1, kept.code());
    assertTrue(kept.err().contains("the partial tree is kept as asked"), kept.err());
    assertFalse(Files.exists(target.resolve("var/lib/db.bin")), "the damaged file was kept under its name");
    for (int i = 0; i < 10; i++) {
      Path f = target.resolve("etc/app/conf-" + i);
      if (Files.exists(f)) {
        assertArrayEquals(Files.readAllBytes(src.resolve("etc/app/conf-" + i)), Files.readAllBytes(f));
      }
    }
  }

  @Test
  void aRestoreOntoAFullDiskNamesTheFileAndNoSpace() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    ok(migrate(src, repo));
    Path small = Files.createDirectory(tmp.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString());
    try {
      Path target = small.resolve("web");
      CliRun r = smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", target.toString());
      assertEquals(1, r.code(), r.err());
      assertTrue(r.err().startsWith("smc restore: error: restore of web-CYCLE_1 into " + target + ": writing " + target
          + "/var/lib/db.bin: no space left on device (ENOSPC); what it wrote was removed"), r.err());
      assertFalse(Files.exists(target));
    } finally {
      run("umount", small.toString());
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
  }
}
