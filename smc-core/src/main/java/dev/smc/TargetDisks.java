package dev.smc;

import dev.smc.internal.Checks;
import dev.smc.spi.SourceDescription;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The target's layout: a system disk of 20-500 GiB, up to 16 data disks of 20-32768 GiB each (indexes 1-16; a
 * source's data disk may be left out), partition sizes, and which partitions are copied block by block. Against
 * the source ({@link #validateAgainst}): each disk exceeds the used space of the source disk it receives; a
 * file-level partition may change size but holds at least what its file system uses; a block-level partition
 * keeps its size and place; the partitions fit their disk. Immutable and thread-safe.
 *
 * @param partitions target sizes of partitions, by disk index and partition number; the others keep their size
 * @param blockLevel the partitions copied block by block ({@code DISK_PART} ids, {@code 0_2}), besides those
 *     whose file system smc does not read file by file
 */
public record TargetDisks(int systemDiskGiB, List<DataDisk> dataDisks, List<PartitionSize> partitions,
    List<String> blockLevel) {
  public static final int MIN_SYSTEM_GIB = 20;
  public static final int MAX_SYSTEM_GIB = 500;
  public static final int MIN_DATA_GIB = 20;
  public static final int MAX_DATA_GIB = 32768;
  public static final int MAX_DATA_DISKS = 16;

  /** The largest partition size, in GiB (a data disk's largest). */
  public static final long MAX_PARTITION_GIB = MAX_DATA_GIB;

  /** A data disk: its index (1-16) and size. */
  public record DataDisk(int index, long sizeGiB) {}

  /** A partition's target size: partition {@code partition} (1-based) of disk {@code disk} (0 = system). */
  public record PartitionSize(int disk, int partition, long sizeGiB) {
    /** Its id as the CLI spells it: {@code DISK_PART}. */
    public String id() {
      return SourceDescription.partitionId(disk, partition);
    }
  }

  public TargetDisks {
    dataDisks = List.copyOf(dataDisks);
    partitions = List.copyOf(partitions);
    blockLevel = List.copyOf(blockLevel);
    Checks c = new Checks();
    validate(c, systemDiskGiB, dataDisks);
    Set<String> ids = new HashSet<>();
    for (PartitionSize p : partitions) {
      String f = "partitions[" + p.id() + "]";
      if (p.disk() < 0 || p.disk() > MAX_DATA_DISKS || p.partition() < 1) {
        c.add(f, p.id(), "DISK_PART: a disk 0-" + MAX_DATA_DISKS + " (0 = system disk) and a partition number >= 1");
      }
      c.range(f + ".sizeGiB", p.sizeGiB(), 1, MAX_PARTITION_GIB);
      if (!ids.add(p.id())) {
        c.add(f, p.id(), "each partition once");
      }
    }
    Set<String> block = new HashSet<>();
    for (String b : blockLevel) {
      if (!b.matches("\\d{1,2}_\\d{1,3}")) {
        c.add("blockLevel", b, "DISK_PART ids such as 0_2 (disk 0 = system disk, partition 2)");
      } else if (!block.add(b)) {
        c.add("blockLevel", b, "each partition once");
      }
    }
    c.throwIfAny();
  }

  /** Disk sizes only; every partition keeps its size. */
  public TargetDisks(int systemDiskGiB, List<DataDisk> dataDisks) {
    this(systemDiskGiB, dataDisks, List.of(), List.of());
  }

  /** The target size of partition {@code id} ({@code DISK_PART}), if one is given. */
  public Optional<PartitionSize> partition(String id) {
    return partitions.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  static void validate(Checks c, int systemDiskGiB, List<DataDisk> dataDisks) {
    c.range("systemDiskGiB", systemDiskGiB, MIN_SYSTEM_GIB, MAX_SYSTEM_GIB);
    if (dataDisks.size() > MAX_DATA_DISKS) {
      c.add("dataDisks", dataDisks.size() + " disks", "at most " + MAX_DATA_DISKS + " data disks");
    }
    Set<Integer> seen = new HashSet<>();
    for (DataDisk d : dataDisks) {
      c.range("dataDisks[" + d.index() + "].index", d.index(), 1, MAX_DATA_DISKS);
      c.range("dataDisks[" + d.index() + "].sizeGiB", d.sizeGiB(), MIN_DATA_GIB, MAX_DATA_GIB);
      if (!seen.add(d.index())) {
        c.add("dataDisks[" + d.index() + "].index", d.index(), "each index once");
      }
    }
  }

  /**
   * Checks each target disk exceeds the used space of the source disk it receives: the system
   * disk the source's first disk, data disk {@code i} the source's disk {@code i}. Throws
   * {@link InvalidSpecException} naming every disk that is too small or has no source disk.
   */
  public void validateAgainst(SourceDescription source) {
    Checks c = new Checks();
    List<SourceDescription.Disk> disks = source.disks();
    if (!disks.isEmpty()) {
      need(c, "systemDiskGiB", systemDiskGiB, disks.get(0));
    }
    LayoutFit.check(c, this, source);
    for (DataDisk d : dataDisks) {
      if (d.index() >= disks.size()) {
        c.add("dataDisks[" + d.index() + "].index", d.index(), "a data disk of the source: 1.." + (disks.size() - 1));
      } else {
        need(c, "dataDisks[" + d.index() + "].sizeGiB", d.sizeGiB(), disks.get(d.index()));
      }
    }
    c.throwIfAny();
  }

  private static void need(Checks c, String field, long gib, SourceDescription.Disk disk) {
    long used = disk.usedBytes();
    if (gib * (1L << 30) <= used) {
      c.add(field, gib, "more than the " + (used + (1L << 30) - 1) / (1L << 30) + " GiB used on source disk "
          + disk.name());
    }
  }

  /** Whether partition {@code p} (id {@code DISK_PART}) is copied block by block: asked for, or not a file system smc reads. */
  public boolean isBlockLevel(String id, SourceDescription.Partition p) {
    return LayoutFit.isBlockLevel(this, id, p);
  }

  /** The target size of disk {@code index}, in GiB: the system disk's, a data disk's, or empty when not given. */
  public Optional<Long> diskGiB(int index) {
    return index == 0 ? Optional.of((long) systemDiskGiB) : dataDisk(index).map(DataDisk::sizeGiB);
  }

  /** The default: a system disk as large as the source's first disk (within 20-500 GiB), no data disks. */
  public static TargetDisks defaultFor(SourceDescription source) {
    long gib = source.disks().isEmpty() ? MIN_SYSTEM_GIB : (source.disks().get(0).sizeBytes() + (1L << 30) - 1) >> 30;
    return new TargetDisks((int) Math.max(MIN_SYSTEM_GIB, Math.min(MAX_SYSTEM_GIB, gib)), List.of());
  }

  public Optional<DataDisk> dataDisk(int index) {
    return dataDisks.stream().filter(d -> d.index() == index).findFirst();
  }
}
