package dev.smc.examples.cli;

import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** A server's description ({@link SourceDescription}) as {@code smc describe} prints it: a table, or JSON. */
final class ServerView {
  private ServerView() {}

  static void print(PrintStream out, SourceDescription s) {
    out.printf(Locale.ROOT, "server %s: %s%s%s%n", s.hostname().isEmpty() ? "-" : s.hostname(), s.osType(),
        s.osName().map(n -> " (" + n + ")").orElse(""), s.architecture().map(a -> ", " + a).orElse(""));
    if (s.disks().isEmpty()) {
      out.println("no disks: a folder, one file system's worth of files");
    }
    String row = "  %-5s %10s %10s  %-18s %-10s %-8s %-36s %-12s %10s  %s%n";
    for (Disk d : s.disks()) {
      out.printf(Locale.ROOT, "disk %d%s: %s, %s, %s%s%n", d.index(), d.index() == 0 ? " (system)" : " (data)", d.name(),
          Fmt.size(d.sizeBytes()), d.table() == SourceDescription.TableType.NONE ? "no partition table" : d.table()
              + (d.diskId().isEmpty() ? "" : " " + d.diskId()), ", " + Fmt.size(d.usedBytes()) + " used");
      List<Partition> parts = new ArrayList<>(d.partitions());
      if (parts.isEmpty() && d.fileSystem().isPresent()) {
        parts.add(new Partition(0, 0, d.sizeBytes(), "", "whole disk", "", "", 0, false, d.fileSystem()));
      }
      if (parts.isEmpty()) {
        continue;
      }
      out.printf(Locale.ROOT, row, "PART", "START", "SIZE", "TYPE", "NAME", "FS", "UUID", "LABEL", "USED", "MOUNT");
      for (Partition p : parts) {
        Optional<FileSystem> f = p.fileSystem();
        out.printf(Locale.ROOT, row, SourceDescription.partitionId(d.index(), p.number()), Fmt.size(p.startBytes()),
            Fmt.size(p.sizeBytes()), dash(p.typeName().isEmpty() ? p.type() : p.typeName()), dash(p.name()),
            f.map(FileSystem::type).orElse("-"), f.map(x -> dash(x.uuid())).orElse("-"),
            f.map(x -> dash(x.label())).orElse("-"), used(p.usedBytes()),
            s.mountOf(d.index(), p.number()).map(Mount::mountPoint).orElse("-"));
      }
    }
    if (!s.mounts().isEmpty()) {
      out.println("mounts:");
      for (Mount m : s.mounts()) {
        out.printf(Locale.ROOT, "  %-20s %-6s partition %-5s %s (%s)%n", m.mountPoint(), m.fsType(),
            SourceDescription.partitionId(m.disk(), m.partition()), m.spec(), m.options());
      }
    }
    s.warnings().forEach(w -> out.println("warning: " + w));
  }

  static Map<String, Object> json(SourceDescription s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("osType", s.osType().name());
    m.put("osName", s.osName().orElse(null));
    m.put("architecture", s.architecture().orElse(null));
    m.put("hostname", s.hostname());
    List<Object> disks = new ArrayList<>();
    for (Disk d : s.disks()) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("index", d.index());
      dm.put("name", d.name());
      dm.put("sizeBytes", d.sizeBytes());
      dm.put("usedBytes", d.usedBytes());
      dm.put("table", d.table().name());
      dm.put("diskId", d.diskId());
      List<Object> parts = new ArrayList<>();
      for (Partition p : d.partitions()) {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("id", SourceDescription.partitionId(d.index(), p.number()));
        pm.put("number", p.number());
        pm.put("startBytes", p.startBytes());
        pm.put("sizeBytes", p.sizeBytes());
        pm.put("type", p.type());
        pm.put("typeName", p.typeName());
        pm.put("name", p.name());
        pm.put("uuid", p.uuid());
        pm.put("attributes", p.attributes());
        pm.put("bootable", p.bootable());
        pm.put("fileSystem", p.fileSystem().map(ServerView::fileSystem).orElse(null));
        parts.add(pm);
      }
      dm.put("partitions", parts);
      dm.put("fileSystem", d.fileSystem().map(ServerView::fileSystem).orElse(null));
      disks.add(dm);
    }
    m.put("disks", disks);
    List<Object> mounts = new ArrayList<>();
    for (Mount x : s.mounts()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("mountPoint", x.mountPoint());
      mm.put("fsType", x.fsType());
      mm.put("disk", x.disk());
      mm.put("partition", x.partition());
      mm.put("spec", x.spec());
      mm.put("options", x.options());
      mounts.add(mm);
    }
    m.put("mounts", mounts);
    m.put("warnings", s.warnings());
    return m;
  }

  private static Map<String, Object> fileSystem(FileSystem f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", f.type());
    m.put("uuid", f.uuid());
    m.put("label", f.label());
    m.put("sizeBytes", f.sizeBytes().isPresent() ? f.sizeBytes().getAsLong() : null);
    m.put("usedBytes", f.usedBytes().isPresent() ? f.usedBytes().getAsLong() : null);
    return m;
  }

  private static String used(OptionalLong u) {
    return u.isPresent() ? Fmt.size(u.getAsLong()) : "-";
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
