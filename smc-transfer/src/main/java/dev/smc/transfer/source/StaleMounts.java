package dev.smc.transfer.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a killed cycle of a server's disks left mounted: the private roots are named
 * {@code smc-server-<pid>-…} in the temporary folder, and whatever is mounted at or below one whose process is
 * gone is unmounted (innermost first) and the folder removed, before a new cycle mounts anything.
 */
final class StaleMounts {
  private static final Logger LOG = LoggerFactory.getLogger(StaleMounts.class);
  static final String PREFIX = "smc-server-";

  private StaleMounts() {}

  static void removeDead() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    Pattern root = Pattern.compile(Pattern.quote(tmp + "/" + PREFIX) + "(\\d+)-[^/]*");
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        points.add(SystemFiles.octal(f[4]));
      }
    }
    List<String> dead = new ArrayList<>();
    for (String p : points) {
      Matcher m = root.matcher(p);
      if (m.lookingAt() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        dead.add(p);
      }
    }
    dead.sort(Comparator.comparingInt(String::length).reversed());
    for (String p : dead) {
      try {
        ReadOnlyMount.run(List.of("umount", p));
        LOG.info("unmounted {}, left by a cycle that was killed", p);
      } catch (IOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e;
        }
        LOG.warn("{} was left mounted by a cycle that was killed, and unmounting it failed: {}", p, e.getMessage());
      }
    }
    try (var s = Files.list(tmp)) {
      for (Path d : s.filter(x -> root.matcher(x.toString()).matches()).toList()) {
        Matcher m = root.matcher(d.toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() && Files.isDirectory(d)) {
          try (var inside = Files.list(d)) {
            if (inside.findAny().isEmpty()) {
              Files.delete(d);
            }
          }
        }
      }
    }
  }
}
