package dev.smc.transfer.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a task names a source that is not one path: a server's disks as {@code disks:D0,D1} (absolute paths,
 * the system disk first; a comma inside a path is written {@code %2C}, a percent sign {@code %25}). A plain path
 * is a folder, a disk image file or a block device, as before. Stateless.
 */
public final class SourceLocator {
  public static final String DISKS = "disks:";

  private SourceLocator() {}

  /** The locator of a server whose disks are {@code disks}. */
  public static String ofDisks(List<Path> disks) {
    return DISKS + disks.stream().map(d -> d.toAbsolutePath().normalize().toString().replace("%", "%25")
        .replace(",", "%2C")).collect(Collectors.joining(","));
  }

  /** The disks {@code source} names, if it is a {@code disks:} locator. */
  public static Optional<List<Path>> disks(String source) {
    if (!source.startsWith(DISKS)) {
      return Optional.empty();
    }
    List<Path> out = new ArrayList<>();
    for (String d : source.substring(DISKS.length()).split(",", -1)) {
      out.add(Path.of(d.replace("%2C", ",").replace("%25", "%")));
    }
    return Optional.of(List.copyOf(out));
  }
}
