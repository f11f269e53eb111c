package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.Trees;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository an earlier build wrote (compat/repo-49086be.tar.gz, made by compat/make-fixture.sh with the
 * build of commit 49086be, before tree pieces got packs of their own) restores with this build: both of its
 * cycles exactly as their sources were (content, types, modes, owners, ns times, hard links, symlinks, a
 * fifo, a sparse file, xattrs, a name outside ASCII), it checks clean with read-data, and this build adds a
 * cycle onto it that restores as well.
 */
class OldRepositoryTest {
  @TempDir
  Path dir;

  @Test
  void aRepositoryAnEarlierBuildWroteRestoresExactlyAndTakesNewCycles() throws Exception {
    tar("-xzf", fixture("/compat/repo-49086be.tar.gz"), "-C", dir.toString());
    assertEquals("49086be", Files.readString(dir.resolve("WRITTEN-BY"), StandardCharsets.US_ASCII).trim());
    for (int n = 1; n <= 2; n++) {
      Files.createDirectories(dir.resolve("expected-" + n));
      tar("--xattrs", "--xattrs-include=user.*", "--numeric-owner", "-xpf", dir.resolve("src-" + n + ".tar").toString(),
          "-C", dir.resolve("expected-" + n).toString());
    }
    try (Repository repo = Repository.open(LocalFolderBackend.open(dir.resolve("repo")))) {
      assertEquals(List.of(new ImageRef("old", 1), new ImageRef("old", 2)), repo.images().stream()
          .map(i -> i.ref()).sorted(java.util.Comparator.comparingInt(ImageRef::cycle)).toList());
      for (int n = 1; n <= 2; n++) {
        assertEquals(List.of(), Trees.restoreAndCompare(repo, new ImageRef("old", n), dir.resolve("restored-" + n),
            dir.resolve("expected-" + n)), "cycle " + n + " of the earlier build");
      }
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), "check --read-data: " + check.errors());

      CycleReport third = FileMigration.builder().threads(2).build()
          .run(repo, dir.resolve("expected-2"), "old", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(new ImageRef("old", 3), third.image());
      assertEquals(List.of(), Trees.restoreAndCompare(repo, third.image(), dir.resolve("restored-3"),
          dir.resolve("expected-2")), "a cycle of this build onto the earlier build's");
      assertTrue(repo.check(true).ok(), "check --read-data after this build's cycle");
    }
  }

  private static String fixture(String resource) throws URISyntaxException {
    return Path.of(OldRepositoryTest.class.getResource(resource).toURI()).toString();
  }

  private static void tar(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("tar"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + ": " + out);
  }
}
