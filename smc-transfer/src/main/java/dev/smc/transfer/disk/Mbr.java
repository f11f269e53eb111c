package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads a DOS/MBR partition table: four primary slots, and logical partitions along an extended one's EBR chain. */
final class Mbr {
  static final int ENTRIES = 446;
  static final int PROTECTIVE = 0xee;
  /** Far more logical partitions than any tool makes; a longer chain is a loop or garbage. */
  private static final int MAX_LOGICAL = 1024;

  private Mbr() {}

  /** One 16-byte slot of an MBR or EBR. */
  record Entry(int slot, long offset, int bootFlag, int type, long start, long sectors) {
    boolean used() {
      return type != 0 && sectors != 0;
    }
  }

  static boolean hasBootSignature(ByteBuffer sector0) {
    return Bytes.u8(sector0, 510) == 0x55 && Bytes.u8(sector0, 511) == 0xaa;
  }

  static List<Entry> entries(ByteBuffer sector, long sectorOffset) {
    List<Entry> l = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      int at = ENTRIES + 16 * i;
      l.add(new Entry(i, sectorOffset + at, Bytes.u8(sector, at), Bytes.u8(sector, at + 4), Bytes.u32(sector, at + 8),
          Bytes.u32(sector, at + 12)));
    }
    return l;
  }

  /** Whether every slot's boot flag is 0x00 or 0x80, as in any real MBR (and rarely in other boot sectors). */
  static boolean plausible(ByteBuffer sector0) {
    return entries(sector0, 0).stream().allMatch(e -> e.bootFlag() == 0 || e.bootFlag() == 0x80);
  }

  static DiskLayout read(DiskReader disk, int sectorSize, ByteBuffer sector0, List<String> warnings)
      throws IOException {
    long diskSectors = disk.size() / sectorSize;
    List<Partition> parts = new ArrayList<>();
    Entry extended = null;
    for (Entry e : entries(sector0, 0)) {
      if (!e.used()) {
        continue;
      }
      checkInside(e, "MBR entry " + (e.slot() + 1), 1, diskSectors - 1, e.start());
      parts.add(partition(e.slot() + 1, e, e.start(), sectorSize));
      if (PartitionTypes.isMbrExtended(e.type())) {
        if (extended == null) {
          extended = e;
        } else {
          warnings.add("a second extended partition (" + (e.slot() + 1) + ") is ignored; its logical partitions "
              + "are not listed");
        }
      }
    }
    if (extended != null) {
      readLogical(disk, sectorSize, extended, parts, warnings);
    }
    String id = String.format("0x%08x", Bytes.u32(sector0, 440));
    return new DiskLayout(DiskLayout.TableType.MBR, disk.size(), sectorSize, id, parts, null, warnings);
  }

  /**
   * Walks the EBR chain: each EBR holds one logical partition (its start relative to the EBR) and a link to the
   * next EBR (relative to the extended partition's start).
   */
  private static void readLogical(DiskReader disk, int sectorSize, Entry ext, List<Partition> parts,
      List<String> warnings) throws IOException {
    long extFirst = ext.start();
    long extLast = ext.start() + ext.sectors() - 1;
    Set<Long> seen = new HashSet<>();
    seen.add(extFirst);
    long ebr = extFirst;
    int number = 5;
    while (true) {
      long off = ebr * sectorSize;
      ByteBuffer s = disk.read(off, sectorSize);
      if (!hasBootSignature(s)) {
        if (ebr == extFirst) {
          warnings.add("the extended partition " + (ext.slot() + 1) + " holds no EBR at offset " + off
              + ": no logical partitions");
          return;
        }
        throw new IntegrityException("EBR at offset " + off + ": no 0x55AA signature");
      }
      List<Entry> es = entries(s, off);
      Entry logical = es.get(0);
      Entry link = es.get(1);
      if (logical.used()) {
        long start = ebr + logical.start();
        checkInside(logical, "logical partition " + number + " (EBR at offset " + off + ")", ebr + 1, extLast, start);
        parts.add(partition(number++, logical, start, sectorSize));
      }
      if (!link.used()) {
        return;
      }
      long next = extFirst + link.start();
      if (!PartitionTypes.isMbrExtended(link.type())) {
        throw new IntegrityException("EBR at offset " + off + ": link entry at offset " + link.offset() + " has type "
            + PartitionTypes.mbrCode(link.type()) + ", not an extended type");
      }
      if (next > extLast || !seen.add(next) || seen.size() > MAX_LOGICAL) {
        throw new IntegrityException("EBR at offset " + off + ": link entry at offset " + link.offset()
            + " points to sector " + next + ", outside the extended partition " + extFirst + ".." + extLast
            + " or back to an EBR already read");
      }
      ebr = next;
    }
  }

  private static void checkInside(Entry e, String what, long first, long last, long start) {
    long end = start + e.sectors() - 1;
    if (start < first || end > last) {
      throw new IntegrityException(what + " at offset " + e.offset() + ": sectors " + start + ".." + end
          + " are outside " + first + ".." + last);
    }
  }

  private static Partition partition(int number, Entry e, long start, int sectorSize) {
    return new Partition(number, start, e.sectors(), sectorSize, PartitionTypes.mbrCode(e.type()),
        PartitionTypes.mbrName(e.type()), "", "", e.bootFlag() == 0x80, 0);
  }
}
