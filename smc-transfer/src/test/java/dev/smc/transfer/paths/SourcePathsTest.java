package dev.smc.transfer.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.InvalidSpecException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be a source, judged without opening anything (issue #11, item 5). */
class SourcePathsTest {
  @TempDir
  Path tmp;

  private static String why(Path p) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SourcePaths.problem(p)).orElse("(accepted)");
  }

  @Test
  void foldersDiskFilesAndBlockDevicesAreSourcesFollowingSymlinks() throws Exception {
    Path disk = Files.write(tmp.resolve("disk.img"), new byte[4096]);
    assertEquals(SourcePaths.Kind.FOLDER, SourcePaths.check("source", tmp));
    assertEquals(SourcePaths.Kind.DISK_FILE, SourcePaths.check("source", disk));
    assertEquals(SourcePaths.Kind.DISK_FILE, SourcePaths.check("source",
        Files.createSymbolicLink(tmp.resolve("link.img"), disk)));
    Optional<Path> loop = Files.exists(Path.of("/dev/loop0")) ? Optional.of(Path.of("/dev/loop0")) : Optional.empty();
    if (loop.isPresent()) {
      assertEquals(SourcePaths.Kind.BLOCK_DEVICE, SourcePaths.check("source", loop.get()));
    }
  }

  @Test
  void whatWouldBlockOrHoldsNoDataIsRefusedWithAReason() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0);
    assertTrue(why(fifo).startsWith("is a FIFO"), why(fifo));
    assertTrue(why(Path.of("/dev/null")).startsWith("is a character device"), why(Path.of("/dev/null")));
    assertTrue(why(Path.of("/proc/self/status")).startsWith("is a file of a kernel interface"));
    assertTrue(why(Path.of("/sys/kernel")).startsWith("is a folder of a kernel interface"));
    assertTrue(why(Files.createFile(tmp.resolve("empty.img"))).startsWith("is an empty file"));
    assertEquals("does not exist", why(tmp.resolve("nope")));
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      Path sock = tmp.resolve("sock");
      s.bind(UnixDomainSocketAddress.of(sock));
      assertEquals("is a socket", why(sock));
    }
  }

  @Test
  void checkNamesTheFieldThePathAndWhatIsAllowed() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> SourcePaths.check("--source", Path.of("/proc/self/status")));
    assertEquals("--source", e.errors().get(0).field());
    assertEquals("/proc/self/status", e.errors().get(0).value());
    assertTrue(e.errors().get(0).allowed().endsWith("allowed " + SourcePaths.ALLOWED), e.toString());
  }
}
