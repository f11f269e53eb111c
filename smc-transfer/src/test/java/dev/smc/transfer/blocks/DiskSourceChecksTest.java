package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.InvalidSpecException;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a block cycle refuses to read, without opening it (issue #11, item 5): a FIFO hung the
 * cycle forever, and {@code /proc/self/status} (a regular file of size 0) made an empty image.
 */
class DiskSourceChecksTest {
  @TempDir
  Path tmp;

  private InvalidSpecException refused(Path source) throws Exception {
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      InvalidSpecException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
          InvalidSpecException.class, () -> BlockMigration.builder().build().run(repo, source, "disk",
              TransferOptions.DEFAULTS)), source + " was opened");
      assertEquals(List.of(), repo.images(), "a refused cycle made an image");
      assertEquals("source", e.errors().get(0).field());
      assertEquals(source.toString(), e.errors().get(0).value());
      assertTrue(e.errors().get(0).allowed().contains("a disk image file"), e.toString());
      return e;
    }
  }

  @Test
  void aFifoIsRefusedAtOnceInsteadOfWaitingForAWriter() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0);
    assertTrue(refused(fifo).errors().get(0).allowed().contains("FIFO"));
  }

  @Test
  void aProcfsFileAnEmptyFileACharacterDeviceAndAFolderAreRefused() throws Exception {
    assertTrue(refused(Path.of("/proc/self/status")).errors().get(0).allowed().contains("kernel interface"));
    assertTrue(refused(Files.createFile(tmp.resolve("empty.img"))).errors().get(0).allowed().contains("empty file"));
    assertTrue(refused(Path.of("/dev/zero")).errors().get(0).allowed().contains("character device"));
    assertTrue(refused(tmp).errors().get(0).allowed().contains("file by file"));
  }
}
