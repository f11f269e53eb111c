package dev.smc.examples.cli;

import dev.smc.transfer.paths.SourcePaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * A server's disks on the command line: {@code --disk FILE|DEVICE} (repeatable) and {@code --data-disks 1,3},
 * which of them are copied (default all).
 */
final class DataDisks {
  private DataDisks() {}

  /** The {@code --disk} values as real paths, each a disk image file or a block device. */
  static List<Path> diskPaths(String command, List<String> disks) throws IOException {
    List<Path> paths = new ArrayList<>();
    for (String d : disks) {
      if (SourcePaths.check("--disk", Path.of(d)) == SourcePaths.Kind.FOLDER) {
        throw new UsageException(command + ": --disk '" + d + "': must be a disk image file or a block device");
      }
      paths.add(Path.of(d).toRealPath());
    }
    return paths;
  }

  /** The data disks {@code text} names among {@code disks} disks (0 the system disk; {@code none}: no data disk); null for all. */
  @Nullable
  static Set<Integer> parse(String command, @Nullable String text, int disks) {
    if (text == null) {
      return null;
    }
    String allowed = disks < 2 ? "none: the server has no data disk (give it with a second --disk)"
        : "data disks 1.." + (disks - 1) + ", comma-separated, or none (the system disk 0 is always copied)";
    Set<Integer> out = new TreeSet<>();
    if (text.equals("none")) {
      return out;
    }
    for (String s : text.split(",", -1)) {
      int i;
      try {
        i = Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        i = -1;
      }
      if (i < 1 || i >= disks) {
        throw new UsageException(command + ": --data-disks '" + text + "': allowed " + allowed);
      }
      out.add(i);
    }
    return out;
  }
}
