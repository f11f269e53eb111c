package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile input of issue #11 through the real {@code java -jar target/smc.jar} (so these run
 * after {@code package}): the process must end, with the exit code a script sees.
 */
class HostileInputCliIT {
  private static final Path JAR = Path.of(System.getProperty("smc.jar", "target/smc.jar"));

  @TempDir
  Path tmp;

  private Path src;
  private int runs;

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void aServer() throws IOException {
    assertTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    src = Files.createDirectories(tmp.resolve("server/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    src = src.getParent();
  }

  private Run smc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    int n = ++runs;
    Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve(n + ".out").toFile())
        .redirectError(tmp.resolve(n + ".err").toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("smc " + String.join(" ", args) + " did not end within 60 s");
    }
    return new Run(p.exitValue(), Files.readString(tmp.resolve(n + ".out")), Files.readString(tmp.resolve(n + ".err")));
  }

  @Test
  void aFifoAsSourceOrExcludeFileEndsAtOnceWithExitTwo() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0);
    Path repo = tmp.resolve("repo");
    Run source = smc("migrate", "--source", fifo.toString(), "--repo", repo.toString(), "--image-name", "web");
    assertEquals(2, source.code(), source.err());
    assertTrue(source.err().contains("--source = '" + fifo + "': is a FIFO"), source.err());
    Run excludes = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web",
        "--exclude-from", fifo.toString());
    assertEquals(2, excludes.code(), excludes.err());
    assertTrue(excludes.err().contains("--exclude-from '" + fifo + "': is a FIFO"), excludes.err());
    assertFalse(Files.exists(repo), "a refused migrate created the repository");
  }

  @Test
  void aFailingPostSnapshotHookExitsFourAndTheImageIsThere() throws Exception {
    Path repo = tmp.resolve("repo");
    Run r = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web",
        "--post-snapshot", "exit 7");
    assertEquals(4, r.code(), r.err());
    assertTrue(r.err().contains("image web-CYCLE_1 was made, but the post-snapshot hook failed"), r.err());
    Run images = smc("images", "--repo", repo.toString());
    assertEquals(0, images.code(), images.err());
    assertTrue(images.out().contains("web-CYCLE_1"), images.out());
  }
}
