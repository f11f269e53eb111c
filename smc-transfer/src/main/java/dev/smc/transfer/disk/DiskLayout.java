package dev.smc.transfer.disk;

import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * What {@link PartitionTable#read} found on a disk. Immutable and thread-safe.
 *
 * @param tableType GPT, MBR or NONE
 * @param sizeBytes the disk's size
 * @param sectorSize the logical sector size the table was read with (512, or 4096 when a GPT header sits at byte
 *     4096 or the device says so)
 * @param diskId GPT: the disk GUID; MBR: the disk signature as {@code 0x%08x} (as {@code sfdisk -J}); NONE: empty
 * @param partitions by number; empty for NONE
 * @param gpt the GPT headers' state, for GPT only
 * @param warnings what was odd but not fatal (a damaged primary GPT header, an invalid backup, …)
 */
public record DiskLayout(TableType tableType, long sizeBytes, int sectorSize, String diskId,
    List<Partition> partitions, @Nullable GptHeaders gpt, List<String> warnings) {
  /** The kinds of partition table. */
  public enum TableType {
    /** GUID partition table (with a protective MBR). */
    GPT,
    /** DOS/MBR partition table, with logical partitions in an extended one. */
    MBR,
    /** No partition table: the disk is one file system, or empty, or something unknown. */
    NONE
  }

  /**
   * The state of a GPT's two copies. Immutable and thread-safe.
   *
   * @param primaryValid whether the header at LBA 1 and its entries pass their CRC32 and structure checks
   * @param backupValid the same for the backup header (at the last LBA)
   * @param backupLba where the backup header was looked for (and found, when valid)
   * @param firstUsableLba the first sector a partition may use
   * @param lastUsableLba the last sector a partition may use
   * @param protectiveMbr whether sector 0 holds a protective MBR entry (type 0xEE)
   */
  public record GptHeaders(boolean primaryValid, boolean backupValid, long backupLba, long firstUsableLba,
      long lastUsableLba, boolean protectiveMbr) {}

  public DiskLayout {
    partitions = List.copyOf(partitions);
    warnings = List.copyOf(warnings);
    if (tableType == TableType.GPT && gpt == null) {
      throw new IllegalArgumentException("a GPT layout needs its GptHeaders");
    }
  }

  /** The partition with {@code number}. */
  public Optional<Partition> partition(int number) {
    return partitions.stream().filter(p -> p.number() == number).findFirst();
  }
}
