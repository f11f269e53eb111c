package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a disk's partition table. A protective MBR (an entry of type 0xee) means GPT: the primary header at
 * LBA 1 and the backup at the last LBA are both checked (header CRC32, structure, entries CRC32), and a damaged
 * primary falls back to the backup with a warning. Otherwise a boot signature (0x55AA) with sane boot flags, in a
 * sector that is not a FAT or NTFS boot sector, means MBR, whose extended partition's EBR chain is walked.
 * Anything else is {@link DiskLayout.TableType#NONE}.
 *
 * <p>The sector size is the device's logical one; for an image file (which has none), a GPT header found at byte
 * 4096 rather than 512 means 4096-byte sectors, and an MBR is read with 512-byte sectors. Stateless and
 * thread-safe; blocks on the disk's reads.
 */
public final class PartitionTable {
  private PartitionTable() {}

  /**
   * The layout of {@code disk}.
   *
   * @throws dev.smc.IntegrityException when a table is there but is nonsense (no valid GPT copy, a partition
   *     outside the disk, a looping EBR chain, …); the message names the offset of the bad structure
   * @throws IOException when the disk cannot be read
   */
  public static DiskLayout read(DiskReader disk) throws IOException {
    List<String> warnings = new ArrayList<>();
    if (disk.size() < 512) {
      return none(disk, warnings);
    }
    ByteBuffer s0 = disk.read(0, 512);
    boolean bootSignature = Mbr.hasBootSignature(s0);
    Mbr.Entry protective = null;
    int others = 0;
    if (bootSignature) {
      for (Mbr.Entry e : Mbr.entries(s0, 0)) {
        if (e.type() == Mbr.PROTECTIVE) {
          protective = protective == null ? e : protective;
        } else if (e.used()) {
          others++;
        }
      }
    }
    int[] sizes = disk.logicalSectorSize() == 512 ? new int[] {512, 4096}
        : new int[] {disk.logicalSectorSize(), 512, 4096};
    int gptSectorSize = 0;
    for (int ss : sizes) {
      if (Gpt.hasSignature(disk, ss, 1)) {
        gptSectorSize = ss;
        break;
      }
    }
    if (protective != null) {
      for (int i = 0; i < sizes.length && gptSectorSize == 0; i++) {
        if (Gpt.hasSignature(disk, sizes[i], disk.size() / sizes[i] - 1)) {
          gptSectorSize = sizes[i];
        }
      }
      if (gptSectorSize == 0) {
        throw new IntegrityException(disk + ": protective MBR entry (type ee) at offset " + protective.offset()
            + ", but no GPT header at LBA 1 or at the last LBA (for sectors of 512 or 4096 bytes)");
      }
      if (others > 0) {
        warnings.add("hybrid MBR: sector 0 has " + others + " partition(s) besides the protective one; the GPT is"
            + " used");
      }
      return Gpt.read(disk, gptSectorSize, true, warnings);
    }
    if (bootSignature && Mbr.plausible(s0) && !FileSystems.isBootSectorOfFileSystem(s0)) {
      if (gptSectorSize != 0) {
        warnings.add("a GPT header at LBA 1 is ignored: the MBR has no protective entry (type ee)");
      }
      return Mbr.read(disk, disk.logicalSectorSize(), s0, warnings);
    }
    if (gptSectorSize != 0 && !bootSignature) {
      return Gpt.read(disk, gptSectorSize, false, warnings);
    }
    return none(disk, warnings);
  }

  private static DiskLayout none(DiskReader disk, List<String> warnings) {
    return new DiskLayout(DiskLayout.TableType.NONE, disk.size(), disk.logicalSectorSize(), "", List.of(), null,
        warnings);
  }
}
