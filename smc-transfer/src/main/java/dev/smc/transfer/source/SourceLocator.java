package dev.smc.transfer.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a task names a source that is not one path: a server's disks as {@code disks:D0,D1} (absolute paths,
 * the system disk first; a comma inside a path is written {@code %2C}, a bar {@code %7C}, a percent sign
 * {@code %25}), and when only some data disks are copied, {@code disks:D0,D1,D2|data=2}. A plain path is a
 * folder, a disk image file or a block device, as before. Stateless.
 */
public final class SourceLocator {
  public static final String DISKS = "disks:";

  private SourceLocator() {}

  /** The locator of a server whose disks are {@code disks}, every one copied. */
  public static String ofDisks(List<Path> disks) {
    return ofDisks(disks, null);
  }

  /** The locator of a server whose disks are {@code disks}, copying data disks {@code dataDisks} (null: all). */
  public static String ofDisks(List<Path> disks, @javax.annotation.Nullable java.util.Set<Integer> dataDisks) {
    String paths = disks.stream().map(d -> d.toAbsolutePath().normalize().toString().replace("%", "%25")
        .replace(",", "%2C").replace("|", "%7C")).collect(Collectors.joining(","));
    return DISKS + paths + (dataDisks == null ? "" : "|data=" + dataDisks.stream().sorted().map(String::valueOf)
        .collect(Collectors.joining(",")));
  }

  /** The data disks a {@code disks:} locator copies; empty when it copies all (or is no such locator). */
  public static Optional<java.util.Set<Integer>> dataDisks(String source) {
    int bar = source.indexOf("|data=");
    if (!source.startsWith(DISKS) || bar < 0) {
      return Optional.empty();
    }
    String list = source.substring(bar + 6);
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    if (!list.isEmpty()) {
      for (String i : list.split(",")) {
        out.add(Integer.parseInt(i));
      }
    }
    return Optional.of(out);
  }

  /** The disks {@code source} names, if it is a {@code disks:} locator. */
  public static Optional<List<Path>> disks(String source) {
    if (!source.startsWith(DISKS)) {
      return Optional.empty();
    }
    List<Path> out = new ArrayList<>();
    String body = source.substring(DISKS.length());
    int bar = body.indexOf('|');
    for (String d : (bar < 0 ? body : body.substring(0, bar)).split(",", -1)) {
      out.add(Path.of(d.replace("%2C", ",").replace("%7C", "|").replace("%25", "%")));
    }
    return Optional.of(List.copyOf(out));
  }
}
