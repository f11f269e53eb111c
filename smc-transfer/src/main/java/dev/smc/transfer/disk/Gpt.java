package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads a GUID partition table: the primary header at LBA 1, the backup at the last LBA, each checked by its
 * header CRC32, structure and entries CRC32; a damaged primary falls back to the backup.
 */
final class Gpt {
  static final String SIGNATURE = "EFI PART";
  private static final int MIN_HEADER_SIZE = 92;
  /** sgdisk's maximum is far below this; more means nonsense, not a bigger table. */
  private static final long MAX_ENTRIES_BYTES = 16L << 20;

  private Gpt() {}

  /** A header that passed its checks, with its entries. */
  private record Copy(long lba, long alternateLba, long firstUsable, long lastUsable, String diskGuid,
      long entriesCrc, List<Partition> partitions) {}

  /** Whether the sector at {@code lba} starts with the GPT signature. */
  static boolean hasSignature(DiskReader disk, int sectorSize, long lba) throws IOException {
    long off = lba * sectorSize;
    if (lba < 0 || off < 0 || off + 8 > disk.size()) {
      return false;
    }
    return Bytes.ascii(disk.read(off, 8), 0, SIGNATURE);
  }

  static DiskLayout read(DiskReader disk, int sectorSize, boolean protectiveMbr, List<String> warnings)
      throws IOException {
    long lastLba = disk.size() / sectorSize - 1;
    Copy primary = null;
    Copy backup = null;
    String primaryError = null;
    String backupError;
    try {
      primary = copy(disk, sectorSize, 1, lastLba);
    } catch (IntegrityException e) {
      primaryError = e.getMessage();
    }
    long backupLba = lastLba;
    try {
      backup = copy(disk, sectorSize, lastLba, 1);
      backupError = null;
    } catch (IntegrityException e) {
      backupError = e.getMessage();
      if (primary != null && primary.alternateLba() != lastLba && primary.alternateLba() > 1
          && primary.alternateLba() < lastLba) {
        try {
          backup = copy(disk, sectorSize, primary.alternateLba(), 1);
          backupLba = primary.alternateLba();
          warnings.add("the backup GPT header is at LBA " + backupLba + ", not at the disk's last LBA " + lastLba
              + " (the disk grew since it was partitioned?)");
          backupError = null;
        } catch (IntegrityException again) {
          // report the error at the last LBA, where the backup belongs
        }
      }
    }
    if (primary == null && backup == null) {
      throw new IntegrityException(disk + ": no valid GPT: primary: " + primaryError + "; backup: " + backupError);
    }
    if (!protectiveMbr) {
      warnings.add("no protective MBR (type ee) in sector 0");
    }
    Copy used = primary;
    if (primary == null) {
      used = backup;
      warnings.add("the primary GPT is damaged (" + primaryError + "); read the backup header at offset "
          + backupLba * sectorSize + " instead");
    } else if (backup == null) {
      warnings.add("the backup GPT is invalid (" + backupError + ")");
    } else if (primary.entriesCrc() != backup.entriesCrc() || !primary.diskGuid().equals(backup.diskGuid())) {
      warnings.add("the primary and backup GPTs differ; used the primary");
    }
    DiskLayout.GptHeaders headers = new DiskLayout.GptHeaders(primary != null, backup != null, backupLba,
        used.firstUsable(), used.lastUsable(), protectiveMbr);
    return new DiskLayout(DiskLayout.TableType.GPT, disk.size(), sectorSize, used.diskGuid(), used.partitions(),
        headers, warnings);
  }

  /** The header at {@code lba} and its entries; throws {@link IntegrityException} naming the offset of damage. */
  private static Copy copy(DiskReader disk, int sectorSize, long lba, long expectedAlternate) throws IOException {
    long lastLba = disk.size() / sectorSize - 1;
    long off = lba * sectorSize;
    String where = "GPT header at offset " + off;
    if (lba < 1 || lba > lastLba) {
      throw new IntegrityException(where + ": beyond the disk's " + disk.size() + " bytes");
    }
    ByteBuffer h = disk.read(off, sectorSize);
    if (!Bytes.ascii(h, 0, SIGNATURE)) {
      throw new IntegrityException(where + ": no \"EFI PART\" signature");
    }
    long headerSize = Bytes.u32(h, 12);
    if (headerSize < MIN_HEADER_SIZE || headerSize > sectorSize) {
      throw new IntegrityException(where + ": header size " + headerSize + " outside " + MIN_HEADER_SIZE + ".."
          + sectorSize);
    }
    long storedCrc = Bytes.u32(h, 16);
    ByteBuffer forCrc = ByteBuffer.allocate((int) headerSize);
    forCrc.put(0, h, 0, (int) headerSize).putInt(16, 0);
    CRC32 crc = new CRC32();
    crc.update(forCrc);
    if (crc.getValue() != storedCrc) {
      throw new IntegrityException(where + ": header CRC32 " + hex(storedCrc) + " does not match its content ("
          + hex(crc.getValue()) + ")");
    }
    long myLba = Bytes.u64(h, 24);
    long alternate = Bytes.u64(h, 32);
    long firstUsable = Bytes.u64(h, 40);
    long lastUsable = Bytes.u64(h, 48);
    String diskGuid = Bytes.guid(h, 56);
    long entriesLba = Bytes.u64(h, 72);
    long count = Bytes.u32(h, 80);
    long entrySize = Bytes.u32(h, 84);
    long entriesCrc = Bytes.u32(h, 88);
    if (myLba != lba) {
      throw new IntegrityException(where + ": says it is at LBA " + Long.toUnsignedString(myLba) + ", found at LBA "
          + lba);
    }
    if (lba == 1 && alternate != expectedAlternate && (alternate < 2 || Long.compareUnsigned(alternate, lastLba) > 0)) {
      throw new IntegrityException(where + ": backup LBA " + Long.toUnsignedString(alternate)
          + " is outside the disk (last LBA " + lastLba + ")");
    }
    if (lba != 1 && alternate != 1) {
      throw new IntegrityException(where + ": a backup header must point to LBA 1, points to "
          + Long.toUnsignedString(alternate));
    }
    if (firstUsable < 2 || Long.compareUnsigned(lastUsable, lastLba) > 0 || firstUsable > lastUsable + 1) {
      throw new IntegrityException(where + ": usable sectors " + Long.toUnsignedString(firstUsable) + ".."
          + Long.toUnsignedString(lastUsable) + " do not fit a disk of " + (lastLba + 1) + " sectors");
    }
    if (entrySize < 128 || entrySize % 8 != 0 || entrySize > MAX_ENTRIES_BYTES
        || count > MAX_ENTRIES_BYTES / entrySize) {
      throw new IntegrityException(where + ": " + count + " entries of " + entrySize
          + " bytes is not a partition entry array (entries are >= 128 bytes, a multiple of 8, at most "
          + MAX_ENTRIES_BYTES + " bytes in all)");
    }
    int arrayBytes = (int) (count * entrySize);
    long arraySectors = (arrayBytes + sectorSize - 1) / sectorSize;
    if (entriesLba < 2 || Long.compareUnsigned(entriesLba, lastLba - arraySectors + 1) > 0) {
      throw new IntegrityException(where + ": partition entries at LBA " + Long.toUnsignedString(entriesLba)
          + " (" + arraySectors + " sectors) lie outside the disk");
    }
    long arrayOff = entriesLba * sectorSize;
    ByteBuffer entries = disk.read(arrayOff, arrayBytes);
    crc.reset();
    crc.update(entries.duplicate());
    if (crc.getValue() != entriesCrc) {
      throw new IntegrityException(where + ": the partition entries at offset " + arrayOff + " have CRC32 "
          + hex(crc.getValue()) + ", the header says " + hex(entriesCrc));
    }
    List<Partition> parts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int at = (int) (i * entrySize);
      if (Bytes.allZero(entries, at, 16)) {
        continue;
      }
      long first = Bytes.u64(entries, at + 32);
      long last = Bytes.u64(entries, at + 40);
      if (Long.compareUnsigned(first, firstUsable) < 0 || Long.compareUnsigned(last, lastUsable) > 0 || first > last) {
        throw new IntegrityException("GPT entry " + (i + 1) + " at offset " + (arrayOff + at) + ": sectors "
            + Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last) + " are outside the usable "
            + firstUsable + ".." + lastUsable);
      }
      String type = Bytes.guid(entries, at);
      parts.add(new Partition(i + 1, first, last - first + 1, sectorSize, type, PartitionTypes.gptName(type),
          Bytes.guid(entries, at + 16), Bytes.utf16le(entries, at + 56, 72), false,
          Bytes.u64(entries, at + 48)));
    }
    checkNoOverlap(parts, arrayOff, entrySize);
    return new Copy(lba, alternate, firstUsable, lastUsable, diskGuid, entriesCrc, parts);
  }

  private static void checkNoOverlap(List<Partition> parts, long arrayOff, long entrySize) {
    List<Partition> byStart = new ArrayList<>(parts);
    byStart.sort(Comparator.comparingLong(Partition::startSector));
    for (int i = 1; i < byStart.size(); i++) {
      Partition a = byStart.get(i - 1);
      Partition b = byStart.get(i);
      if (b.startSector() <= a.lastSector()) {
        throw new IntegrityException("GPT entry " + b.number() + " at offset " + (arrayOff + (b.number() - 1)
            * entrySize) + ": sectors " + b.startSector() + ".." + b.lastSector() + " overlap partition "
            + a.number() + " (" + a.startSector() + ".." + a.lastSector() + ")");
      }
    }
  }

  private static String hex(long v) {
    return String.format("0x%08x", v);
  }
}
