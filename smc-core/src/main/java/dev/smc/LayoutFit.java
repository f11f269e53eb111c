package dev.smc;

import dev.smc.internal.Checks;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.Partition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of {@link TargetDisks#validateAgainst} for partitions: each sized or block-level partition exists; a
 * file-level partition holds at least what its file system uses; a block-level one keeps its size and place;
 * laid out in order (file-level partitions from the end of the one before, aligned to 1 MiB; block-level ones
 * where they are), every partition ends within its target disk, GPT's backup table included.
 */
final class LayoutFit {
  /** File systems smc copies file by file; a partition of another kind (or none) is copied block by block. */
  static final Set<String> FILE_LEVEL = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "vfat");
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  /** GPT's backup header and entries at the end of a disk: 33 sectors of 512 bytes. */
  private static final long GPT_TAIL = 33 * 512;

  private LayoutFit() {}

  static void check(Checks c, TargetDisks t, SourceDescription source) {
    for (TargetDisks.PartitionSize p : t.partitions()) {
      if (find(source, p.disk(), p.partition()).isEmpty()) {
        c.add("partitions[" + p.id() + "]", p.id(), "a partition of the source: " + ids(source));
      }
    }
    for (String b : t.blockLevel()) {
      String[] dp = b.split("_");
      if (find(source, Integer.parseInt(dp[0]), Integer.parseInt(dp[1])).isEmpty()) {
        c.add("blockLevel", b, "a partition of the source: " + ids(source));
      }
    }
    for (Disk d : source.disks()) {
      Optional<Long> gib = t.diskGiB(d.index());
      long diskBytes = gib.map(g -> g * GIB).orElse(d.sizeBytes());
      String diskField = d.index() == 0 ? "systemDiskGiB" : "dataDisks[" + d.index() + "].sizeGiB";
      List<Partition> parts = new ArrayList<>(d.partitions());
      parts.sort(Comparator.comparingLong(Partition::startBytes));
      long prevEnd = 0;
      String prevId = null;
      long tail = d.table() == SourceDescription.TableType.GPT ? GPT_TAIL : 0;
      for (Partition p : parts) {
        String id = SourceDescription.partitionId(d.index(), p.number());
        String f = "partitions[" + id + "].sizeGiB";
        Optional<TargetDisks.PartitionSize> given = t.partition(id);
        boolean block = isBlockLevel(t, id, p);
        long size = given.map(g -> g.sizeGiB() * GIB).orElse(p.sizeBytes());
        if (given.isPresent() && block && size != p.sizeBytes()) {
          c.add(f, given.get().sizeGiB(), "block-level partitions keep their size: " + sizeText(p.sizeBytes())
              + " (" + p.sizeBytes() + " bytes); copy it file by file to resize it");
          size = p.sizeBytes();
        } else if (given.isPresent() && !block && !p.fileSystem().map(SourceDescription.FileSystem::isSwap)
            .orElse(false)) {
          long used = p.usedBytes().orElse(p.sizeBytes());
          if (size < used) {
            c.add(f, given.get().sizeGiB(), "at least " + ceilGiB(used) + " GiB: its file system uses "
                + sizeText(used));
          }
        }
        long start = prevId == null || block ? p.startBytes() : Math.max(align(prevEnd), MIB);
        if (block && start < prevEnd) {
          c.add("partitions[" + prevId + "].sizeGiB", t.partition(prevId).map(TargetDisks.PartitionSize::sizeGiB)
              .orElse(null), "small enough to end before block-level partition " + id + ", which keeps its place at "
              + sizeText(p.startBytes()));
        }
        long end = start + size;
        if (end + tail > diskBytes) {
          c.add(given.isPresent() ? f : "partitions[" + id + "]", given.isPresent() ? given.get().sizeGiB() : id,
              "to end within the " + sizeText(diskBytes) + " of disk " + d.index() + " (" + diskField + "): it would"
                  + " end at " + sizeText(end + tail) + "; make the disk at least " + ceilGiB(end + tail) + " GiB"
                  + (block ? "" : " or the partition smaller"));
        }
        prevEnd = end;
        prevId = id;
      }
    }
  }

  /** Whether partition {@code id} is copied block by block: asked for, or a file system smc does not read. */
  static boolean isBlockLevel(TargetDisks t, String id, Partition p) {
    String type = p.fileSystem().map(SourceDescription.FileSystem::type).orElse("");
    return t.blockLevel().contains(id) || !FILE_LEVEL.contains(type) && !type.equals("swap");
  }

  private static Optional<Partition> find(SourceDescription s, int disk, int partition) {
    return s.disk(disk).flatMap(d -> d.partition(partition));
  }

  private static String ids(SourceDescription s) {
    List<String> ids = new ArrayList<>();
    for (Disk d : s.disks()) {
      d.partitions().forEach(p -> ids.add(SourceDescription.partitionId(d.index(), p.number())));
    }
    return ids.isEmpty() ? "(it has none)" : String.join(", ", ids);
  }

  private static long align(long bytes) {
    return (bytes + MIB - 1) / MIB * MIB;
  }

  private static long ceilGiB(long bytes) {
    return (bytes + GIB - 1) / GIB;
  }

  private static String sizeText(long bytes) {
    if (bytes % GIB == 0) {
      return bytes / GIB + " GiB";
    }
    return bytes >= GIB ? String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) GIB)
        : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
  }
}
