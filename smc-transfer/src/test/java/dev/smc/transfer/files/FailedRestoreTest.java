package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.smc.testkit.PackDamage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore that fails (issue #11, item 9) used to leave a partial tree, one file with wrong
 * content among them, and a full disk's error named no path. Now it removes what it wrote (or,
 * asked to keep it, every file it had not finished) and its error names the image, the target and
 * the file.
 */
class FailedRestoreTest {
  private static final Pattern FILE = Pattern.compile("(?:reading|writing) (\\S+): ");

  @TempDir
  Path tmp;

  private Path src;
  private Path repoDir;

  /** A server of small files and one of 3 MiB, migrated into a repository in a folder; returns its image. */
  private CycleReport migrated() throws IOException {
    src = tmp.resolve("server");
    Random rnd = new Random(9);
    for (int i = 0; i < 30; i++) {
      Files.writeString(Files.createDirectories(src.resolve("etc/app")).resolve("conf-" + i), "key = " + rnd.nextInt());
    }
    byte[] db = new byte[3 << 20];
    rnd.nextBytes(db);
    Files.write(Files.createDirectories(src.resolve("var/lib")).resolve("db.bin"), db);
    Files.createLink(src.resolve("etc/app/hard"), src.resolve("etc/app/conf-1"));
    repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      return FileMigration.builder().threads(2).build().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
    }
  }

  private SmcException failedRestore(CycleReport image, Path target, boolean keep) throws IOException {
    return failedRestore(image, target, keep, 2);
  }

  private SmcException failedRestore(CycleReport image, Path target, boolean keep, int threads) throws IOException {
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      return assertThrows(SmcException.class, () -> new FileRestore(threads).keepPartial(keep).restore(repo,
          image.image(), target));
    }
  }

  /** The file a restore's error names. */
  private static Path named(SmcException e) {
    Matcher m = FILE.matcher(e.getMessage());
    assertTrue(m.find(), "the error names no file: " + e.getMessage());
    return Path.of(m.group(1));
  }

  @Test
  void damagedDataLeavesNoFolderBehindAndTheErrorNamesTheFile() throws Exception {
    CycleReport image = migrated();
    PackDamage.flipDataByte(repoDir);
    Path target = tmp.resolve("restored");
    SmcException e = failedRestore(image, target, false);
    assertEquals(ErrorCode.INTEGRITY, e.code(), e.toString());
    assertTrue(e.getMessage().startsWith("restore of web-CYCLE_1 into " + target + ": reading "),
        e.getMessage());
    assertTrue(named(e).startsWith(target), e.getMessage());
    assertTrue(e.getMessage().endsWith("what it wrote was removed (the folder " + target + " it had created)"),
        e.getMessage());
    assertFalse(Files.exists(target), "the failed restore left its folder");
  }

  @Test
  void intoAnExistingEmptyFolderItRemovesWhatItCreatedAndKeepsTheFolder() throws Exception {
    CycleReport image = migrated();
    PackDamage.flipDataByte(repoDir);
    Path target = Files.createDirectory(tmp.resolve("given"));
    SmcException e = failedRestore(image, target, false);
    assertTrue(e.getMessage().endsWith("what it wrote into " + target + " was removed"), e.getMessage());
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of(), s.toList(), "the given folder is not empty again");
    }
  }

  @Test
  void keptPartialTreeHoldsNoFileWithContentTheImageDoesNotHold() throws Exception {
    CycleReport image = migrated();
    PackDamage.flipDataByte(repoDir);
    Path target = tmp.resolve("partial");
    SmcException e = failedRestore(image, target, true);
    assertTrue(e.getMessage().contains("the partial tree is kept as asked"), e.getMessage());
    assertFalse(Files.exists(named(e)), "the file that failed is left under its name: " + named(e));
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(target)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path f : files) {
      assertArrayEquals(Files.readAllBytes(src.resolve(target.relativize(f).toString())), Files.readAllBytes(f),
          f + " was kept with content the image does not hold");
    }
  }

  @Test
  void aFullDiskNamesTheFileAndNoSpaceAndRemovesWhatItWrote() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    CycleReport image = migrated();
    Path small = Files.createDirectory(tmp.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString());
    try {
      Path target = small.resolve("restored");
      // one thread: the small files go first and the large one fills the disk, so the file named is always
      // it; with two, a small file written while the large one was filling the disk was sometimes the one
      SmcException e = failedRestore(image, target, false, 1);
      assertEquals(ErrorCode.QUOTA, e.code(), e.toString());
      assertTrue(e.getMessage().startsWith("restore of web-CYCLE_1 into " + target + ": writing " + target
          + "/var/lib/db.bin: no space left on device (ENOSPC); what it wrote was removed"), e.getMessage());
      assertFalse(Files.exists(target), "the failed restore left its folder on the full disk");
    } finally {
      run("umount", small.toString());
    }
  }

  @Test
  void aRestoreThroughASymlinkedFolderWritesToAndReportsTheResolvedTarget() throws Exception {
    CycleReport image = migrated();
    Path real = Files.createDirectories(tmp.resolve("disks/big"));
    Path link = Files.createSymbolicLink(tmp.resolve("big"), real);
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      FileRestore.Report r = new FileRestore(2).restore(repo, image.image(), link.resolve("web"));
      assertEquals(real.toRealPath().resolve("web"), r.target());
      assertEquals(List.of(), TreeCompare.differences(Trees.bytes(src), Trees.bytes(real.resolve("web"))));
      Path finalLink = Files.createSymbolicLink(tmp.resolve("final"), Files.createDirectory(tmp.resolve("empty")));
      SmcException e = assertThrows(SmcException.class, () -> new FileRestore(2).restore(repo, image.image(),
          finalLink));
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
      try (Stream<Path> s = Files.list(tmp.resolve("empty"))) {
        assertEquals(0, s.count(), "the restore wrote through a symlink");
      }
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
  }
}
