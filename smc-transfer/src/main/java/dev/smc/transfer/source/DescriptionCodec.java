package dev.smc.transfer.source;

import dev.smc.IntegrityException;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link SourceDescription} as text, for an image to carry the server it holds (image property
 * {@value #PROPERTY}): one {@code key=value} line per disk, file system, partition, mount and warning, fields
 * separated by {@code |} and percent-escaped. {@link #decode} reads what {@link #encode} wrote.
 */
public final class DescriptionCodec {
  /** The image property that holds a server image's description. */
  public static final String PROPERTY = "server";

  private DescriptionCodec() {}

  public static String encode(SourceDescription s) {
    StringBuilder b = new StringBuilder();
    line(b, "os", s.osType().name());
    s.osName().ifPresent(n -> line(b, "osName", n));
    s.architecture().ifPresent(a -> line(b, "arch", a));
    line(b, "host", s.hostname());
    for (Disk d : s.disks()) {
      String k = "disk." + d.index();
      line(b, k, d.name(), Long.toString(d.sizeBytes()), Long.toString(d.usedBytes()), d.table().name(), d.diskId());
      d.fileSystem().ifPresent(f -> fs(b, k + ".fs", f));
      for (Partition p : d.partitions()) {
        String pk = k + ".part." + p.number();
        line(b, pk, Long.toString(p.startBytes()), Long.toString(p.sizeBytes()), p.type(), p.typeName(), p.name(),
            p.uuid(), Long.toString(p.attributes()), Boolean.toString(p.bootable()));
        p.fileSystem().ifPresent(f -> fs(b, pk + ".fs", f));
      }
    }
    for (int i = 0; i < s.mounts().size(); i++) {
      Mount m = s.mounts().get(i);
      line(b, "mount." + i, m.mountPoint(), m.fsType(), Integer.toString(m.disk()), Integer.toString(m.partition()),
          m.spec(), m.options());
    }
    for (int i = 0; i < s.warnings().size(); i++) {
      line(b, "warning." + i, s.warnings().get(i));
    }
    return b.toString();
  }

  public static SourceDescription decode(String text) {
    Map<String, String[]> m = new TreeMap<>();
    for (String l : text.split("\n")) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String[] f = l.substring(eq + 1).split("\\|", -1);
      for (int i = 0; i < f.length; i++) {
        f[i] = unescape(f[i]);
      }
      m.put(l.substring(0, eq), f);
    }
    try {
      List<Disk> disks = new ArrayList<>();
      for (int i = 0; m.containsKey("disk." + i); i++) {
        String k = "disk." + i;
        String[] d = m.get(k);
        List<Partition> parts = new ArrayList<>();
        String prefix = k + ".part.";
        List<Integer> numbers = m.keySet().stream().filter(x -> x.startsWith(prefix) && !x.endsWith(".fs"))
            .map(x -> Integer.parseInt(x.substring(prefix.length()))).sorted().toList();
        for (int n : numbers) {
          String[] p = m.get(prefix + n);
          parts.add(new Partition(n, Long.parseLong(p[0]), Long.parseLong(p[1]), p[2], p[3], p[4], p[5],
              Long.parseLong(p[6]), Boolean.parseBoolean(p[7]), fs(m.get(prefix + n + ".fs"))));
        }
        disks.add(new Disk(i, d[0], Long.parseLong(d[1]), Long.parseLong(d[2]), SourceDescription.TableType.valueOf(d[3]),
            d[4], parts, fs(m.get(k + ".fs"))));
      }
      List<Mount> mounts = new ArrayList<>();
      for (int i = 0; m.containsKey("mount." + i); i++) {
        String[] x = m.get("mount." + i);
        mounts.add(new Mount(x[0], x[1], Integer.parseInt(x[2]), Integer.parseInt(x[3]), x[4], x[5]));
      }
      List<String> warnings = new ArrayList<>();
      for (int i = 0; m.containsKey("warning." + i); i++) {
        warnings.add(m.get("warning." + i)[0]);
      }
      return new SourceDescription(SourceDescription.OsType.valueOf(m.get("os")[0]),
          Optional.ofNullable(m.get("osName")).map(x -> x[0]), Optional.ofNullable(m.get("arch")).map(x -> x[0]),
          m.getOrDefault("host", new String[] {""})[0], disks, mounts, warnings);
    } catch (RuntimeException e) {
      throw new IntegrityException("the server description an image holds cannot be read: " + e.getMessage(), e);
    }
  }

  private static void fs(StringBuilder b, String key, FileSystem f) {
    line(b, key, f.type(), f.uuid(), f.label(), opt(f.sizeBytes()), opt(f.usedBytes()));
  }

  private static Optional<FileSystem> fs(String[] f) {
    if (f == null) {
      return Optional.empty();
    }
    return Optional.of(new FileSystem(f[0], f[1], f[2], opt(f[3]), opt(f[4])));
  }

  private static String opt(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "";
  }

  private static OptionalLong opt(String v) {
    return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
  }

  private static void line(StringBuilder b, String key, String... fields) {
    b.append(key).append('=');
    for (int i = 0; i < fields.length; i++) {
      b.append(i == 0 ? "" : "|").append(escape(fields[i]));
    }
    b.append('\n');
  }

  private static String escape(String s) {
    return s.replace("%", "%25").replace("|", "%7C").replace("\n", "%0A").replace("\r", "%0D");
  }

  private static String unescape(String s) {
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%7C", "|").replace("%25", "%");
  }
}
