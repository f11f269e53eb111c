package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the file system in a region of a disk by its superblock's magic, as {@code blkid -p} does: ext2/3/4,
 * xfs, btrfs, vfat, ntfs, swap, an LVM physical volume. A magic whose superblock makes no sense (a leftover, or
 * damage) counts as not found. Stateless and thread-safe; blocks on one read of at most 68 KiB.
 */
public final class FileSystems {
  private static final Logger LOG = LoggerFactory.getLogger(FileSystems.class);
  /** Everything the probes look at: btrfs's superblock ends at 0x11000. */
  private static final int PROBE_BYTES = 0x11000;
  private static final int BTRFS_SUPERBLOCK = 0x10000;
  private static final int[] SWAP_PAGE_SIZES = {4096, 8192, 16384, 65536};

  private FileSystems() {}

  /**
   * The file system in {@code size} bytes at {@code offset} of {@code disk}; empty when none is recognised.
   *
   * @throws IllegalArgumentException when the region lies outside the disk
   * @throws IOException when the disk cannot be read
   */
  public static Optional<FsInfo> detect(DiskReader disk, long offset, long size) throws IOException {
    if (offset < 0 || size < 0 || size > disk.size() - offset) {
      throw new IllegalArgumentException(size + " bytes at offset " + offset + ": outside the disk's " + disk.size()
          + " bytes");
    }
    ByteBuffer b = disk.read(offset, (int) Math.min(size, PROBE_BYTES));
    try {
      return Optional.ofNullable(probe(b, offset, size));
    } catch (IntegrityException e) {
      LOG.debug("{}: {}", disk, e.getMessage());
      return Optional.empty();
    }
  }

  private static FsInfo probe(ByteBuffer b, long offset, long size) {
    FsInfo fs = ntfs(b);
    if (fs == null) {
      fs = vfat(b);
    }
    if (fs == null) {
      fs = xfs(b);
    }
    if (fs == null && b.limit() >= 2048 && Ext4Superblock.hasMagic(b.slice(1024, 1024))) {
      Ext4Superblock sb = Ext4Superblock.parse(b.slice(1024, 1024), offset + 1024);
      fs = new FsInfo(sb.type(), sb.label(), sb.uuid(), OptionalInt.of(sb.blockSize()),
          OptionalLong.of(sb.blocksCount() * sb.blockSize()), OptionalLong.of(sb.usedBytes()));
    }
    if (fs == null) {
      fs = btrfs(b);
    }
    if (fs == null) {
      fs = swap(b);
    }
    if (fs == null) {
      fs = lvm(b);
    }
    return fs;
  }

  /** Whether a sector 0 is a FAT or NTFS boot sector (which carries 0x55AA like an MBR). */
  static boolean isBootSectorOfFileSystem(ByteBuffer sector0) {
    try {
      return ntfs(sector0) != null || vfat(sector0) != null;
    } catch (IntegrityException e) {
      return false;
    }
  }

  private static FsInfo ntfs(ByteBuffer b) {
    if (b.limit() < 512 || !Bytes.ascii(b, 3, "NTFS    ")) {
      return null;
    }
    int bps = Bytes.u16(b, 11);
    int spc = Bytes.u8(b, 13);
    // a value above 128 is a negative power of two: 2^-(signed value) sectors per cluster
    int shift = spc > 128 ? 256 - spc : 0;
    long cluster = spc > 128 ? (long) bps << Math.min(shift, 32) : (long) bps * spc;
    if (bps < 256 || bps > 4096 || Integer.bitCount(bps) != 1 || spc == 0 || shift > 12 || cluster > (2 << 20)) {
      throw new IntegrityException("NTFS boot sector: " + bps + " bytes per sector, sectors per cluster code " + spc);
    }
    long sectors = Bytes.u64(b, 0x28);
    return new FsInfo(FsType.NTFS, "", String.format("%016X", Bytes.u64(b, 0x48)), OptionalInt.of((int) cluster),
        sectors > 0 && sectors < Long.MAX_VALUE / bps ? OptionalLong.of(sectors * bps) : OptionalLong.empty(),
        OptionalLong.empty());
  }

  private static FsInfo vfat(ByteBuffer b) {
    if (b.limit() < 512 || !Mbr.hasBootSignature(b)) {
      return null;
    }
    boolean fat32 = Bytes.ascii(b, 82, "FAT32   ");
    if (!fat32 && !Bytes.ascii(b, 54, "FAT12   ") && !Bytes.ascii(b, 54, "FAT16   ")) {
      return null;
    }
    int bps = Bytes.u16(b, 11);
    int spc = Bytes.u8(b, 13);
    if (bps < 512 || bps > 4096 || Integer.bitCount(bps) != 1 || spc == 0 || Integer.bitCount(spc) != 1) {
      throw new IntegrityException("FAT boot sector: " + bps + " bytes per sector, " + spc + " per cluster");
    }
    long sectors = Bytes.u16(b, 19);
    if (sectors == 0) {
      sectors = Bytes.u32(b, 32);
    }
    int ext = fat32 ? 64 : 36; // where the extended boot record (drive, 0x29, serial, label) starts
    String uuid = "";
    String label = "";
    if (Bytes.u8(b, ext + 2) == 0x29) {
      long serial = Bytes.u32(b, ext + 3);
      uuid = String.format("%04X-%04X", serial >>> 16, serial & 0xffff);
      label = Bytes.cString(b, ext + 7, 11);
      if (label.equals("NO NAME")) {
        label = "";
      }
    }
    return new FsInfo(FsType.VFAT, label, uuid, OptionalInt.of(bps * spc), OptionalLong.of(sectors * bps),
        OptionalLong.empty());
  }

  private static FsInfo xfs(ByteBuffer b) {
    if (b.limit() < 512 || !Bytes.ascii(b, 0, "XFSB")) {
      return null;
    }
    long bs = Bytes.u32be(b, 4);
    long blocks = Bytes.u64be(b, 8);
    if (bs < 512 || bs > 65536 || Long.bitCount(bs) != 1 || blocks <= 0 || blocks > Long.MAX_VALUE / bs) {
      throw new IntegrityException("xfs superblock: block size " + bs + ", " + Long.toUnsignedString(blocks)
          + " blocks");
    }
    return new FsInfo(FsType.XFS, Bytes.cString(b, 108, 12), Bytes.uuid(b, 32), OptionalInt.of((int) bs),
        OptionalLong.of(blocks * bs), OptionalLong.empty());
  }

  private static FsInfo btrfs(ByteBuffer b) {
    int sb = BTRFS_SUPERBLOCK;
    if (b.limit() < PROBE_BYTES || !Bytes.ascii(b, sb + 0x40, "_BHRfS_M")) {
      return null;
    }
    long sectorSize = Bytes.u32(b, sb + 0x90);
    long total = Bytes.u64(b, sb + 0x70);
    if (sectorSize < 512 || sectorSize > 65536 || Long.bitCount(sectorSize) != 1 || total <= 0) {
      throw new IntegrityException("btrfs superblock: sector size " + sectorSize + ", "
          + Long.toUnsignedString(total) + " bytes");
    }
    return new FsInfo(FsType.BTRFS, Bytes.cString(b, sb + 0x12b, 256), Bytes.uuid(b, sb + 0x20),
        OptionalInt.of((int) sectorSize), OptionalLong.of(total), OptionalLong.empty());
  }

  private static FsInfo swap(ByteBuffer b) {
    for (int page : SWAP_PAGE_SIZES) {
      if (b.limit() < page) {
        break;
      }
      if (Bytes.ascii(b, page - 10, "SWAPSPACE2")) {
        // the version-1 header sits at byte 1024 (after room for a boot sector): version, last page, bad pages
        long lastPage = Bytes.u32(b, 1028);
        boolean v1 = Bytes.u32(b, 1024) == 1;
        return new FsInfo(FsType.SWAP, v1 ? Bytes.cString(b, 1052, 16) : "", v1 ? Bytes.uuid(b, 1036) : "",
            OptionalInt.of(page), v1 ? OptionalLong.of((lastPage + 1) * page) : OptionalLong.empty(),
            OptionalLong.empty());
      }
      if (Bytes.ascii(b, page - 10, "SWAP-SPACE")) {
        return new FsInfo(FsType.SWAP, "", "", OptionalInt.of(page), OptionalLong.empty(), OptionalLong.empty());
      }
    }
    return null;
  }

  private static FsInfo lvm(ByteBuffer b) {
    for (int s = 0; s < 4 && (s + 1) * 512 <= b.limit(); s++) {
      int at = s * 512;
      if (Bytes.ascii(b, at, "LABELONE") && Bytes.ascii(b, at + 24, "LVM2 001")) {
        long pvHeader = Bytes.u32(b, at + 20);
        if (pvHeader < 32 || pvHeader > 512 - 40) {
          throw new IntegrityException("LVM label in sector " + s + ": PV header at " + pvHeader + " (32..472)");
        }
        int h = at + (int) pvHeader;
        String id = Bytes.cString(b, h, 32);
        String uuid = id.length() == 32 ? id.substring(0, 6) + "-" + id.substring(6, 10) + "-" + id.substring(10, 14)
            + "-" + id.substring(14, 18) + "-" + id.substring(18, 22) + "-" + id.substring(22, 26) + "-"
            + id.substring(26) : id;
        long deviceSize = Bytes.u64(b, h + 32);
        return new FsInfo(FsType.LVM2_MEMBER, "", uuid, OptionalInt.empty(),
            deviceSize > 0 ? OptionalLong.of(deviceSize) : OptionalLong.empty(), OptionalLong.empty());
      }
    }
    return null;
  }
}
