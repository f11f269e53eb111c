package dev.smc;

import dev.smc.internal.Checks;
import dev.smc.spi.SourceDescription;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The disks of the target: a system disk of 20-500 GiB and up to 16 data disks of 20-32768 GiB
 * each (indexes 1-16; a source's data disk may be left out). Each must exceed the used space of
 * the source disk it receives ({@link #validateAgainst}). Immutable and thread-safe.
 */
public record TargetDisks(int systemDiskGiB, List<DataDisk> dataDisks) {
  public static final int MIN_SYSTEM_GIB = 20;
  public static final int MAX_SYSTEM_GIB = 500;
  public static final int MIN_DATA_GIB = 20;
  public static final int MAX_DATA_GIB = 32768;
  public static final int MAX_DATA_DISKS = 16;

  /** A data disk: its index (1-16) and size. */
  public record DataDisk(int index, long sizeGiB) {}

  public TargetDisks {
    dataDisks = List.copyOf(dataDisks);
    Checks c = new Checks();
    validate(c, systemDiskGiB, dataDisks);
    c.throwIfAny();
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

  /** The default: a system disk as large as the source's first disk (within 20-500 GiB), no data disks. */
  public static TargetDisks defaultFor(SourceDescription source) {
    long gib = source.disks().isEmpty() ? MIN_SYSTEM_GIB : (source.disks().get(0).sizeBytes() + (1L << 30) - 1) >> 30;
    return new TargetDisks((int) Math.max(MIN_SYSTEM_GIB, Math.min(MAX_SYSTEM_GIB, gib)), List.of());
  }

  public Optional<DataDisk> dataDisk(int index) {
    return dataDisks.stream().filter(d -> d.index() == index).findFirst();
  }
}
