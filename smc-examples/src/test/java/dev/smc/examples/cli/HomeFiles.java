package dev.smc.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the CLI tests look at in a task home: the packs that landed, the receiver processes serving it. */
final class HomeFiles {
  private HomeFiles() {}

  /** The bytes of the packs in the home's repository (HOME/repo), 0 before the first. */
  static long packBytes(Path home) throws IOException {
    Path data = home.resolve("repo/data");
    if (!Files.isDirectory(data)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(data)) {
      long sum = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  /** The receiver processes serving the home's transit instances, whoever started them. */
  static List<ProcessHandle> receivers(Path home) {
    String transits = home.resolve("transit").toAbsolutePath().toString();
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      return all.filter(h -> h.info().commandLine().map(c -> c.contains("ReceiverMain") && c.contains(transits))
          .orElse(false)).toList();
    }
  }
}
