package dev.smc.transfer.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.InvalidSpecException;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a restore really writes (issue #11, items 3 and 8). */
class RestoreTargetTest {
  @TempDir
  Path tmp;

  @Test
  void aSymlinkInTheTargetsFolderPathIsResolvedAndTheResolvedPathIsWhereItWrites() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("real/place"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("real"));
    assertEquals(real.toRealPath().resolve("web"), RestoreTarget.resolve(link.resolve("place/web")));
    assertEquals(tmp.toRealPath().resolve("new"), RestoreTarget.resolve(tmp.resolve("new")));
    assertEquals(real.toRealPath(), RestoreTarget.resolve(real.resolve(".")));
  }

  @Test
  void aSymlinkAsTheTargetItselfOrAMissingFolderIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Path link = Files.createSymbolicLink(tmp.resolve("target"), dir);
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> RestoreTarget.resolve(link));
    assertEquals("target", e.errors().get(0).field());
    assertTrue(e.errors().get(0).allowed().contains("not a symlink"), e.toString());
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
    assertThrows(InvalidSpecException.class, () -> RestoreTarget.resolve(dangling));
    InvalidSpecException missing = assertThrows(InvalidSpecException.class,
        () -> RestoreTarget.resolve(tmp.resolve("no/such/target")));
    assertTrue(missing.errors().get(0).allowed().contains("does not exist"), missing.toString());
  }

  @Test
  void theRepositoryItselfOrAnythingInsideItIsRefusedHoweverItIsSpelled() throws Exception {
    Path repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      Path alias = Files.createSymbolicLink(tmp.resolve("alias"), repoDir);
      for (Path t : new Path[] {repoDir, repoDir.resolve("restored"), alias.resolve("restored"),
          alias.resolve("data/new")}) {
        if (t.getParent().endsWith("data")) {
          Files.createDirectories(repoDir.resolve("data"));
        }
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> RestoreTarget.resolve(repo, t), t.toString());
        assertTrue(e.errors().get(0).allowed().contains("outside the repository " + repoDir), e.toString());
      }
      assertEquals(tmp.toRealPath().resolve("out"), RestoreTarget.resolve(repo, tmp.resolve("out")));
    }
    try (Repository mem = Repository.open(new InMemoryBackend())) {
      assertEquals(tmp.toRealPath().resolve("out"), RestoreTarget.resolve(mem, tmp.resolve("out")));
    }
  }
}
