package dev.smc.transfer.source;

import dev.smc.spi.SourceDescription;
import dev.smc.transfer.disk.DiskLayout;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.FileSystems;
import dev.smc.transfer.disk.FsInfo;
import dev.smc.transfer.disk.Partition;
import dev.smc.transfer.disk.PartitionTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** One disk as a server's description holds it: its partition table, partitions and file systems. */
public final class DiskDescriber {
  private DiskDescriber() {}

  /**
   * Reads {@code disk}'s partition table and each partition's superblock. The used size is what each file
   * system says it uses, plus the whole of every partition whose file system does not say (the conservative
   * choice for sizing a target); a disk without a table counts as its file system, or whole.
   */
  public static SourceDescription.Disk describe(int index, String name, DiskReader disk) throws IOException {
    DiskLayout layout = PartitionTable.read(disk);
    List<SourceDescription.Partition> parts = new ArrayList<>();
    Optional<SourceDescription.FileSystem> whole = Optional.empty();
    long used = 0;
    if (layout.tableType() == DiskLayout.TableType.NONE) {
      whole = FileSystems.detect(disk, 0, disk.size()).map(DiskDescriber::fileSystem);
      used = whole.flatMap(f -> f.usedBytes().isPresent() ? Optional.of(f.usedBytes().getAsLong()) : Optional.empty())
          .orElse(disk.size());
    }
    for (Partition p : layout.partitions()) {
      if (p.isExtended()) {
        continue;
      }
      Optional<SourceDescription.FileSystem> fs = FileSystems.detect(disk, p.startBytes(), p.sizeBytes())
          .map(DiskDescriber::fileSystem);
      SourceDescription.Partition sp = new SourceDescription.Partition(p.number(), p.startBytes(), p.sizeBytes(),
          p.type(), p.typeName(), p.name(), partUuid(layout, p), p.attributes(),
          p.bootable() || (p.attributes() & 4) != 0, fs);
      used += sp.usedBytes().orElse(p.sizeBytes());
      parts.add(sp);
    }
    SourceDescription.TableType table = SourceDescription.TableType.valueOf(layout.tableType().name());
    return new SourceDescription.Disk(index, name, disk.size(), used, table, layout.diskId(), parts, whole);
  }

  static SourceDescription.FileSystem fileSystem(FsInfo f) {
    return new SourceDescription.FileSystem(f.type().blkidName(), f.uuid(), f.label(), f.sizeBytes(), f.usedBytes());
  }

  /** GPT: the partition's GUID; MBR: {@code DISKID-NN}, as blkid gives PARTUUID. */
  private static String partUuid(DiskLayout l, Partition p) {
    if (!p.uuid().isEmpty() || l.tableType() != DiskLayout.TableType.MBR) {
      return p.uuid().toLowerCase(Locale.ROOT);
    }
    String id = l.diskId().toLowerCase(Locale.ROOT).replaceFirst("^0x", "");
    return String.format(Locale.ROOT, "%8s-%02x", id, p.number()).replace(' ', '0');
  }

  /** What the disks' file systems tell of the OS: Linux for ext/xfs/btrfs, Windows for NTFS. */
  public static SourceDescription.OsType guessOs(List<SourceDescription.Disk> disks) {
    boolean linux = false;
    boolean windows = false;
    for (SourceDescription.Disk d : disks) {
      List<Optional<SourceDescription.FileSystem>> all = new ArrayList<>();
      all.add(d.fileSystem());
      d.partitions().forEach(p -> all.add(p.fileSystem()));
      for (Optional<SourceDescription.FileSystem> f : all) {
        String t = f.map(SourceDescription.FileSystem::type).orElse("");
        linux |= t.startsWith("ext") || t.equals("xfs") || t.equals("btrfs");
        windows |= t.equals("ntfs");
      }
    }
    return linux ? SourceDescription.OsType.LINUX : windows ? SourceDescription.OsType.WINDOWS
        : SourceDescription.OsType.OTHER;
  }
}
