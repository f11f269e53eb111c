package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.nio.ByteBuffer;

/**
 * The fields of an ext2/3/4 superblock (1024 bytes at byte 1024 of the file system) that describing a disk and
 * reading block bitmaps need, checked for sense.
 */
record Ext4Superblock(long offset, long blocksCount, long freeBlocksCount, long firstDataBlock, int blockSize,
    int clusterSize, long blocksPerGroup, long clustersPerGroup, long compat, long incompat, long roCompat,
    long inodesPerGroup, int inodeSize, int descSize, int reservedGdtBlocks, long firstMetaBg, long backupBg0,
    long backupBg1, String uuid, String label) {
  static final int SUPERBLOCK_OFFSET = 1024;
  static final int MAGIC = 0xef53;
  static final int MAGIC_AT = 0x38;

  static final long COMPAT_HAS_JOURNAL = 0x4;
  static final long COMPAT_SPARSE_SUPER2 = 0x200;
  static final long INCOMPAT_FILETYPE = 0x2;
  static final long INCOMPAT_RECOVER = 0x4;
  static final long INCOMPAT_JOURNAL_DEV = 0x8;
  static final long INCOMPAT_META_BG = 0x10;
  static final long INCOMPAT_64BIT = 0x80;
  static final long RO_COMPAT_SPARSE_SUPER = 0x1;
  static final long RO_COMPAT_LARGE_FILE = 0x2;
  static final long RO_COMPAT_BTREE_DIR = 0x4;
  static final long RO_COMPAT_GDT_CSUM = 0x10;
  static final long RO_COMPAT_BIGALLOC = 0x200;
  static final long RO_COMPAT_METADATA_CSUM = 0x400;

  static boolean hasMagic(ByteBuffer sb) {
    return sb.limit() >= SUPERBLOCK_OFFSET && Bytes.u16(sb, MAGIC_AT) == MAGIC;
  }

  /**
   * Parses the 1024-byte superblock {@code sb}, found at byte {@code offset} of the disk.
   *
   * @throws IntegrityException when the magic is there but the fields make no sense
   */
  static Ext4Superblock parse(ByteBuffer sb, long offset) {
    String where = "ext superblock at offset " + offset;
    if (!hasMagic(sb)) {
      throw new IntegrityException(where + ": no magic 0xEF53");
    }
    long logBlock = Bytes.u32(sb, 0x18);
    long logCluster = Bytes.u32(sb, 0x1c);
    long compat = Bytes.u32(sb, 0x5c);
    long incompat = Bytes.u32(sb, 0x60);
    long roCompat = Bytes.u32(sb, 0x64);
    boolean is64 = (incompat & INCOMPAT_64BIT) != 0;
    if (logBlock > 6) {
      throw new IntegrityException(where + ": block size 2^" + (10 + logBlock) + " is above 64 KiB");
    }
    int blockSize = 1024 << logBlock;
    boolean bigalloc = (roCompat & RO_COMPAT_BIGALLOC) != 0;
    if (bigalloc && (logCluster < logBlock || logCluster > 29)) {
      throw new IntegrityException(where + ": cluster size 2^" + (10 + logCluster) + " with block size " + blockSize);
    }
    int clusterSize = bigalloc ? 1024 << logCluster : blockSize;
    long blocks = Bytes.u32(sb, 0x4) | (is64 ? Bytes.u32(sb, 0x150) << 32 : 0);
    long free = Bytes.u32(sb, 0xc) | (is64 ? Bytes.u32(sb, 0x158) << 32 : 0);
    long firstData = Bytes.u32(sb, 0x14);
    long blocksPerGroup = Bytes.u32(sb, 0x20);
    long clustersPerGroup = bigalloc ? Bytes.u32(sb, 0x24) : blocksPerGroup;
    if (blocks <= 0 || blocks > (1L << 48)) {
      throw new IntegrityException(where + ": block count " + Long.toUnsignedString(blocks) + " out of range");
    }
    if (free < 0 || free > blocks) {
      throw new IntegrityException(where + ": free block count " + Long.toUnsignedString(free)
          + " exceeds the block count " + blocks);
    }
    if (firstData >= blocks || firstData > 1) {
      throw new IntegrityException(where + ": first data block " + firstData + " (0 or 1 expected)");
    }
    if (clustersPerGroup == 0 || clustersPerGroup > 8L * blockSize || clustersPerGroup % 8 != 0) {
      throw new IntegrityException(where + ": " + clustersPerGroup + " " + (bigalloc ? "clusters" : "blocks")
          + " per group (a multiple of 8, at most " + 8 * blockSize + " for " + blockSize + "-byte blocks)");
    }
    if (blocksPerGroup != clustersPerGroup * (clusterSize / blockSize)) {
      throw new IntegrityException(where + ": " + blocksPerGroup + " blocks per group are not " + clustersPerGroup
          + " clusters of " + clusterSize / blockSize + " blocks");
    }
    long inodesPerGroup = Bytes.u32(sb, 0x28);
    int inodeSize = Bytes.u32(sb, 0x4c) == 0 ? 128 : Bytes.u16(sb, 0x58);
    if (inodeSize < 128 || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
      throw new IntegrityException(where + ": inode size " + inodeSize + " (128.." + blockSize + ", a power of 2)");
    }
    if (inodesPerGroup > 8L * blockSize) {
      throw new IntegrityException(where + ": " + inodesPerGroup + " inodes per group (at most " + 8 * blockSize
          + ")");
    }
    int descSize = 32;
    if (is64) {
      descSize = Bytes.u16(sb, 0xfe);
      if (descSize < 64 || descSize > 1024 || Integer.bitCount(descSize) != 1) {
        throw new IntegrityException(where + ": group descriptor size " + descSize + " (64..1024, a power of 2)");
      }
    }
    return new Ext4Superblock(offset, blocks, free, firstData, blockSize, clusterSize, blocksPerGroup,
        clustersPerGroup, compat, incompat, roCompat, inodesPerGroup, inodeSize, descSize, Bytes.u16(sb, 0xce),
        Bytes.u32(sb, 0x104), Bytes.u32(sb, 0x24c), Bytes.u32(sb, 0x250), Bytes.uuid(sb, 0x68),
        Bytes.cString(sb, 0x78, 16));
  }

  /** ext2, ext3 or ext4, by blkid's rule: features beyond what ext3 knows make ext4; a journal makes ext3. */
  FsType type() {
    long ext3Incompat = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;
    long ext3RoCompat = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;
    if ((incompat & ~ext3Incompat) != 0 || (roCompat & ~ext3RoCompat) != 0) {
      return FsType.EXT4;
    }
    return (compat & COMPAT_HAS_JOURNAL) != 0 ? FsType.EXT3 : FsType.EXT2;
  }

  long groupCount() {
    return (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
  }

  boolean compat(long feature) {
    return (compat & feature) != 0;
  }

  boolean incompat(long feature) {
    return (incompat & feature) != 0;
  }

  boolean roCompat(long feature) {
    return (roCompat & feature) != 0;
  }

  long usedBytes() {
    return (blocksCount - freeBlocksCount) * blockSize;
  }
}
