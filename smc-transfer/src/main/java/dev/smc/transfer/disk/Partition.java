package dev.smc.transfer.disk;

/**
 * One partition of a {@link DiskLayout}. Numbers follow {@code sfdisk -J}: a GPT partition is its entry's index
 * + 1; an MBR partition is 1-4 for the primary slots and 5, 6, … for the logical partitions inside an extended
 * one, in the order of their chain. Immutable and thread-safe.
 *
 * @param number as {@code sfdisk} and the kernel number it (sda1, sda5, …)
 * @param startSector the first sector, in units of {@code sectorSize}
 * @param sectors the length in sectors
 * @param sectorSize the disk's logical sector size in bytes
 * @param type GPT: the type GUID in upper-case canonical form; MBR: the type byte in lower-case hex without
 *     leading zeros, as {@code sfdisk} prints it ({@code "83"}, {@code "5"})
 * @param typeName a short name for well-known types ({@code "Linux filesystem"}, {@code "Linux swap"}); empty
 *     when the type is not one of them
 * @param uuid GPT: the partition's unique GUID; MBR: empty
 * @param name GPT: the partition's name; MBR: empty
 * @param bootable MBR: the boot flag (0x80); GPT: false (see {@code attributes} bit 2)
 * @param attributes GPT: the 64 attribute bits; MBR: 0
 */
public record Partition(int number, long startSector, long sectors, int sectorSize, String type, String typeName,
    String uuid, String name, boolean bootable, long attributes) {
  public Partition {
    if (number < 1) {
      throw new IllegalArgumentException("number " + number + ": must be >= 1");
    }
    if (startSector < 0 || sectors < 0) {
      throw new IllegalArgumentException("partition " + number + ": startSector " + startSector + " and sectors "
          + sectors + " must be >= 0");
    }
    if (sectorSize < 512 || Integer.bitCount(sectorSize) != 1) {
      throw new IllegalArgumentException("sectorSize " + sectorSize + ": must be a power of 2, >= 512");
    }
  }

  /** The offset of the first byte on the disk. */
  public long startBytes() {
    return startSector * sectorSize;
  }

  /** The length in bytes. */
  public long sizeBytes() {
    return sectors * sectorSize;
  }

  /** The last sector (inclusive). */
  public long lastSector() {
    return startSector + sectors - 1;
  }

  /** Whether this is an MBR extended partition: a container of logical partitions, not a file system. */
  public boolean isExtended() {
    return PartitionTypes.isMbrExtended(type);
  }
}
