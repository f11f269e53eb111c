package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code java -jar target/smc.jar} (so its users run after {@code package}), with an
 * environment of the test's choosing, and gives what a script sees: exit code, stdout, stderr.
 */
final class SmcJar {
  static final Path JAR = Path.of(System.getProperty("smc.jar", "target/smc.jar"));

  private final Path dir;
  private final Map<String, String> env;
  private int runs;

  record Run(int code, String out, String err) {}

  /** Runs that keep their output in {@code dir}, with {@code env} added to this process's environment. */
  SmcJar(Path dir, Map<String, String> env) {
    assertTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    this.dir = dir;
    this.env = env;
  }

  Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    int n = ++runs;
    Path out = dir.resolve("run-" + n + ".out");
    Path err = dir.resolve("run-" + n + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("SMC_REPO");
    pb.environment().remove("SMC_HOME");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("smc " + String.join(" ", args) + " did not end within 120 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
