package dev.smc.transfer.blocks;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceSnapshot;
import dev.smc.transfer.disk.DiskLayout;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.FileSystems;
import dev.smc.transfer.disk.FsInfo;
import dev.smc.transfer.disk.Partition;
import dev.smc.transfer.disk.PartitionTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A raw disk on this machine (an image file or a block device) as a migration source: described
 * from its partition table and file systems, so a task can check its target disks
 * ({@code TargetDisks.validateAgainst}). Immutable and thread-safe.
 */
public final class DiskSource implements MigrationSource {
  private final Path disk;

  public DiskSource(Path disk) {
    this.disk = disk.toAbsolutePath().normalize();
  }

  @Override
  public String id() {
    return "disk:" + disk;
  }

  /**
   * One disk with its partitions. The used size of the disk is the sum of what each file system
   * says it uses, plus the whole of every partition whose file system does not say (the
   * conservative choice for sizing a target).
   */
  @Override
  public SourceDescription describe() throws IOException {
    try (DiskReader r = DiskReader.open(disk)) {
      DiskLayout layout = PartitionTable.read(r);
      List<SourceDescription.Partition> parts = new ArrayList<>();
      long used = layout.partitions().isEmpty() ? r.size() : 0;
      for (Partition p : layout.partitions()) {
        if (p.isExtended()) {
          continue;
        }
        Optional<FsInfo> fs = FileSystems.detect(r, p.startBytes(), p.sizeBytes());
        Optional<Long> fsUsed = fs.flatMap(f -> f.usedBytes().isPresent()
            ? Optional.of(f.usedBytes().getAsLong()) : Optional.empty());
        used += fsUsed.orElse(p.sizeBytes());
        parts.add(new SourceDescription.Partition(p.number(), p.startBytes(), p.sizeBytes(), p.typeName(),
            fs.map(f -> f.type().blkidName()), fs.map(FsInfo::label).filter(l -> !l.isEmpty())
                .or(() -> Optional.of(p.name()).filter(n -> !n.isEmpty())), fsUsed));
      }
      SourceDescription.OsType os = parts.stream().anyMatch(p -> p.fileSystem().map(f -> f.startsWith("ext")
          || f.equals("xfs") || f.equals("btrfs")).orElse(false)) ? SourceDescription.OsType.LINUX
          : parts.stream().anyMatch(p -> p.fileSystem().map(f -> f.equals("ntfs")).orElse(false))
              ? SourceDescription.OsType.WINDOWS : SourceDescription.OsType.OTHER;
      return new SourceDescription(os, disk.getFileName().toString(),
          List.of(new SourceDescription.Disk(disk.toString(), r.size(), used, parts)));
    }
  }

  @Override
  public SourceSnapshot open() {
    byte[] path = disk.toString().getBytes(StandardCharsets.UTF_8);
    return () -> path.clone();
  }
}
