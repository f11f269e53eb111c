package dev.smc.examples.cli;

import dev.smc.TargetDisks;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.Partition;
import java.util.Locale;

/** A target layout next to the source it was checked against, as {@code smc describe} prints it. */
final class TargetView {
  private TargetView() {}

  static String text(SourceDescription s, TargetDisks t) {
    StringBuilder b = new StringBuilder("target layout: fits the source\n");
    for (Disk d : s.disks()) {
      long size = t.diskGiB(d.index()).map(g -> g << 30).orElse(d.sizeBytes());
      b.append(String.format(Locale.ROOT, "disk %d%s: %s (source %s, %s used)%n", d.index(), d.index() == 0
          ? " (system)" : " (data)", Fmt.size(size), Fmt.size(d.sizeBytes()), Fmt.size(d.usedBytes())));
      for (Partition p : d.partitions()) {
        String id = SourceDescription.partitionId(d.index(), p.number());
        String type = p.fileSystem().map(SourceDescription.FileSystem::type).orElse("");
        boolean block = t.isBlockLevel(id, p);
        long target = t.partition(id).map(x -> x.sizeGiB() << 30).orElse(p.sizeBytes());
        b.append(String.format(Locale.ROOT, "  %-6s %-12s %10s -> %10s  %s%n", id, type.isEmpty() ? "-" : type,
            Fmt.size(p.sizeBytes()), Fmt.size(target), type.equals("swap") ? "recreated" : block ? "block by block"
                : "file by file"));
      }
    }
    return b.toString().stripTrailing();
  }
}
