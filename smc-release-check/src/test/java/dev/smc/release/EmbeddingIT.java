package dev.smc.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A program that embeds smc as the README shows it ({@code src/it/embedding}) builds and runs
 * <em>offline</em> against smc's artifacts installed into a fresh local repository and the bom:
 * no version range, nothing that needs the network, and the README's example compiles and works.
 * Third-party artifacts and Maven's plugins come from the build's own local repository, read only
 * (Maven's {@code maven.repo.local.tail}).
 */
class EmbeddingIT {
  private static final Path ROOT = Path.of(System.getProperty("smc.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("smc.version", "0.1.0-SNAPSHOT");
  private static final List<String> LIBRARIES = List.of("smc-core", "smc-transfer", "smc-testkit", "smc-scheduler",
      "smc-batch");

  @Test
  void theReadmesEmbeddingExampleBuildsOfflineAgainstTheInstalledArtifactsAndRuns() throws Exception {
    Path target = ROOT.resolve("smc-release-check/target");
    Path repo = target.resolve("consumer-repo");
    deleteTree(repo);
    install(repo, "smc-parent", ROOT.resolve("pom.xml"), null);
    install(repo, "smc-bom", ROOT.resolve("smc-bom/pom.xml"), null);
    for (String lib : LIBRARIES) {
      install(repo, lib, ROOT.resolve(lib).resolve("pom.xml"),
          ROOT.resolve(lib).resolve("target").resolve(lib + "-" + VERSION + ".jar"));
    }
    Path project = target.resolve("embedding");
    deleteTree(project);
    copyTree(ROOT.resolve("smc-release-check/src/it/embedding"), project);

    Path mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn");
    List<String> cmd = new ArrayList<>(List.of(mvn.toString(), "-o", "-B", "-e", "-f", project.resolve("pom.xml").toString(),
        "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("maven.repo.local.tail"),
        "test"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the consumer build did not end");
    assertEquals(0, p.exitValue(), "the consumer build failed offline:\n" + out);
    assertTrue(out.contains("Tests run: 1, Failures: 0, Errors: 0"), out);
    assertTrue(out.contains("web01-CYCLE_1: "), "the example ran and reported its cycle:\n" + out);
    assertTrue(out.contains("web01: 100.0% of ") && !out.contains("-1.0%"), "its progress has a total:\n" + out);
  }

  /** What {@code mvn install} puts in a local repository, for one module: its POM and jar. */
  private static void install(Path repo, String artifact, Path pom, Path jar) throws Exception {
    Path dir = repo.resolve("dev/smc").resolve(artifact).resolve(VERSION);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifact + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      assertTrue(Files.isRegularFile(jar), "not built: " + jar);
      Files.copy(jar, dir.resolve(artifact + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
