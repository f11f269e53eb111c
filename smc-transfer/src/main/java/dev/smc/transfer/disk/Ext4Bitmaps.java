package dev.smc.transfer.disk;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Which blocks of an ext2/3/4 file system are in use, from its block bitmaps: each group's bitmap is found
 * through its group descriptor (32 or 64 bytes; flex_bg, meta_bg and bigalloc are handled), so a migration can
 * skip free blocks. Blocks before the first group (block 0 of a 1 KiB-block file system) count as used.
 *
 * <p><b>Groups flagged BLOCK_UNINIT</b> have no bitmap on disk. As the kernel and e2fsprogs do, such a group's
 * used blocks are its own metadata: the superblock backup and group descriptor blocks (with the reserved ones)
 * when the group holds them, and its block bitmap, inode bitmap and inode table when they lie inside it. That
 * count is checked against the free count in the group's descriptor; on any disagreement the whole group is
 * treated as used — copying a free block costs time, skipping a used one loses data — and a warning says so.
 * The flag is honoured only with the gdt_csum or metadata_csum feature, as the kernel does.
 *
 * <p>Checksums (metadata_csum) are not verified. On a mounted file system the bitmaps change under the reader;
 * a snapshot is needed for a consistent picture. Immutable after {@link #read} and thread-safe.
 */
public final class Ext4Bitmaps {
  private static final int BG_BLOCK_UNINIT = 0x2;

  /** A run of used blocks, in file-system blocks. Immutable and thread-safe. */
  public record Extent(long firstBlock, long blocks) {
    public Extent {
      if (firstBlock < 0 || blocks < 1) {
        throw new IllegalArgumentException("extent " + firstBlock + "+" + blocks + ": must be >= 0 and >= 1");
      }
    }

    /** The block after the last one. */
    public long endBlock() {
      return firstBlock + blocks;
    }
  }

  private final Ext4Superblock sb;
  private final long[][] groups; // one bit per cluster (= block without bigalloc), set when used
  private final long clusters;
  private final int ratio;
  private final long usedBlocks;
  private final List<String> warnings;

  private Ext4Bitmaps(Ext4Superblock sb, long[][] groups, List<String> warnings) {
    this.sb = sb;
    this.groups = groups;
    this.ratio = sb.clusterSize() / sb.blockSize();
    this.clusters = (sb.blocksCount() - sb.firstDataBlock() + ratio - 1) / ratio;
    long used = 0;
    for (Extent e : usedExtents()) {
      used += e.blocks();
    }
    this.usedBlocks = used;
    long claimed = sb.blocksCount() - sb.freeBlocksCount();
    if (used != claimed) {
      warnings.add("the bitmaps say " + used + " blocks are used, the superblock " + claimed
          + " (a mounted file system updates its superblock lazily)");
    }
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads the superblock, group descriptors and block bitmaps of the ext2/3/4 file system in {@code size} bytes at
   * {@code offset} of {@code disk}.
   *
   * @throws IntegrityException when there is no ext superblock, or a structure makes no sense (a bitmap outside
   *     the file system, a file system larger than the region); the message names the offset
   * @throws IOException when the disk cannot be read
   */
  public static Ext4Bitmaps read(DiskReader disk, long offset, long size) throws IOException {
    if (offset < 0 || size < 0 || size > disk.size() - offset) {
      throw new IllegalArgumentException(size + " bytes at offset " + offset + ": outside the disk's " + disk.size()
          + " bytes");
    }
    if (size < 2048) {
      throw new IntegrityException("ext file system at offset " + offset + ": " + size + " bytes hold no superblock");
    }
    Ext4Superblock sb = Ext4Superblock.parse(disk.read(offset + 1024, 1024), offset + 1024);
    if (sb.incompat(Ext4Superblock.INCOMPAT_JOURNAL_DEV)) {
      throw new IntegrityException("ext superblock at offset " + (offset + 1024)
          + ": an external journal device, which has no block bitmaps");
    }
    long fsBytes = sb.blocksCount() * sb.blockSize();
    if (fsBytes > size) {
      throw new IntegrityException("ext superblock at offset " + (offset + 1024) + ": the file system's " + fsBytes
          + " bytes exceed the " + size + " bytes it lies in");
    }
    return new Reader(disk, offset, sb).read();
  }

  /** The file system's size in blocks. */
  public long blockCount() {
    return sb.blocksCount();
  }

  /** The block size in bytes. */
  public int blockSize() {
    return sb.blockSize();
  }

  /** How many blocks are in use (bigalloc: the blocks of used clusters). */
  public long usedBlocks() {
    return usedBlocks;
  }

  /** What was odd: groups treated as used, counters that disagree. */
  public List<String> warnings() {
    return warnings;
  }

  /** Whether {@code block} is in use. */
  public boolean isUsed(long block) {
    if (block < 0 || block >= sb.blocksCount()) {
      throw new IllegalArgumentException("block " + block + ": outside 0.." + (sb.blocksCount() - 1));
    }
    if (block < sb.firstDataBlock()) {
      return true;
    }
    long c = (block - sb.firstDataBlock()) / ratio;
    long[] w = groups[(int) (c / sb.clustersPerGroup())];
    int bit = (int) (c % sb.clustersPerGroup());
    return (w[bit >>> 6] & 1L << bit) != 0;
  }

  /** The used blocks as maximal runs, in block order. */
  public Iterable<Extent> usedExtents() {
    return () -> new Iterator<>() {
      private long from;
      private Extent next = advance();

      private Extent advance() {
        long start = nextBlock(from, true);
        if (start < 0) {
          return null;
        }
        long end = nextBlock(start, false);
        if (end < 0) {
          end = sb.blocksCount();
        }
        from = end;
        return new Extent(start, end - start);
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Extent next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Extent e = next;
        next = advance();
        return e;
      }
    };
  }

  /** The first block at or after {@code from} that is used (or free); -1 when none is. */
  private long nextBlock(long from, boolean used) {
    if (from < sb.firstDataBlock()) {
      if (used) {
        return from;
      }
      from = sb.firstDataBlock();
    }
    long c = (from - sb.firstDataBlock()) / ratio;
    long found = nextCluster(c, used);
    if (found < 0) {
      return -1;
    }
    long block = Math.max(from, sb.firstDataBlock() + found * ratio);
    return block < sb.blocksCount() ? block : -1;
  }

  private long nextCluster(long from, boolean used) {
    long perGroup = sb.clustersPerGroup();
    for (long c = from; c < clusters; ) {
      int g = (int) (c / perGroup);
      long[] w = groups[g];
      int bit = (int) (c % perGroup);
      int word = bit >>> 6;
      long x = (used ? w[word] : ~w[word]) & (-1L << (bit & 63));
      while (true) {
        if (x != 0) {
          long hit = (long) g * perGroup + ((long) word << 6) + Long.numberOfTrailingZeros(x);
          if (hit >= (long) (g + 1) * perGroup) {
            break; // the unused tail bits of a group whose size is not a multiple of 64
          }
          return hit < clusters ? hit : -1;
        }
        if (++word >= w.length) {
          break;
        }
        x = used ? w[word] : ~w[word];
      }
      c = (long) (g + 1) * perGroup;
    }
    return -1;
  }

  /** Reads descriptors and bitmaps: the one-time work of {@link #read}. */
  private static final class Reader {
    private final DiskReader disk;
    private final long offset;
    private final Ext4Superblock sb;
    private final int bs;
    private final long groupCount;
    private final int descPerBlock;
    private final int words;
    private final long[] allUsed;
    private final long[] allFree;
    private final List<String> warnings = new ArrayList<>();

    Reader(DiskReader disk, long offset, Ext4Superblock sb) {
      this.disk = disk;
      this.offset = offset;
      this.sb = sb;
      this.bs = sb.blockSize();
      this.groupCount = sb.groupCount();
      this.descPerBlock = bs / sb.descSize();
      this.words = (int) ((sb.clustersPerGroup() + 63) / 64);
      this.allUsed = new long[words];
      Arrays.fill(allUsed, -1L);
      this.allFree = new long[words];
    }

    Ext4Bitmaps read() throws IOException {
      if (groupCount > Integer.MAX_VALUE) {
        throw new IntegrityException(where() + ": " + groupCount + " block groups");
      }
      long[][] groups = new long[(int) groupCount][];
      ByteBuffer descBlock = null;
      long descBlockNo = -1;
      int bitmapBytes = (int) (sb.clustersPerGroup() / 8);
      boolean csum = sb.roCompat(Ext4Superblock.RO_COMPAT_GDT_CSUM)
          || sb.roCompat(Ext4Superblock.RO_COMPAT_METADATA_CSUM);
      for (int g = 0; g < groupCount; g++) {
        long blockNo = descriptorBlock(g / descPerBlock);
        if (blockNo != descBlockNo) {
          descBlock = readBlocks(blockNo, 1, "group descriptors of group " + g);
          descBlockNo = blockNo;
        }
        int at = (g % descPerBlock) * sb.descSize();
        long descOffset = offset + blockNo * bs + at;
        boolean wide = sb.descSize() >= 64;
        long blockBitmap = Bytes.u32(descBlock, at) | (wide ? Bytes.u32(descBlock, at + 0x20) << 32 : 0);
        long inodeBitmap = Bytes.u32(descBlock, at + 4) | (wide ? Bytes.u32(descBlock, at + 0x24) << 32 : 0);
        long inodeTable = Bytes.u32(descBlock, at + 8) | (wide ? Bytes.u32(descBlock, at + 0x28) << 32 : 0);
        long free = Bytes.u16(descBlock, at + 0xc) | (wide ? (long) Bytes.u16(descBlock, at + 0x2c) << 16 : 0);
        int flags = Bytes.u16(descBlock, at + 0x12);
        long inClusters = clustersIn(g);
        if (free > inClusters) {
          throw new IntegrityException("group " + g + " descriptor at offset " + descOffset + ": " + free
              + " free blocks in a group of " + inClusters);
        }
        long[] bits;
        if (csum && (flags & BG_BLOCK_UNINIT) != 0) {
          bits = uninitialised(g, blockBitmap, inodeBitmap, inodeTable);
          long used = count(bits, inClusters);
          if (inClusters - used != free) {
            warnings.add("group " + g + " (BLOCK_UNINIT): its metadata takes " + used + " of " + inClusters
                + " clusters but its descriptor says " + free + " are free; treated the whole group as used");
            bits = allUsed;
          }
        } else {
          if (blockBitmap < sb.firstDataBlock() || blockBitmap >= sb.blocksCount()) {
            throw new IntegrityException("group " + g + " descriptor at offset " + descOffset + ": block bitmap at "
                + "block " + Long.toUnsignedString(blockBitmap) + ", outside the file system's "
                + sb.firstDataBlock() + ".." + (sb.blocksCount() - 1));
          }
          ByteBuffer raw = readBlocks(blockBitmap, 1, "block bitmap of group " + g);
          bits = new long[words];
          for (int i = 0; i < bitmapBytes; i++) {
            bits[i >>> 3] |= (long) (raw.get(i) & 0xff) << ((i & 7) * 8);
          }
        }
        groups[g] = shared(bits);
      }
      return new Ext4Bitmaps(sb, groups, warnings);
    }

    private String where() {
      return "ext file system at offset " + offset;
    }

    private long clustersIn(long g) {
      long total = (sb.blocksCount() - sb.firstDataBlock() + (sb.clusterSize() / bs) - 1) / (sb.clusterSize() / bs);
      return Math.min(sb.clustersPerGroup(), total - g * sb.clustersPerGroup());
    }

    private long[] shared(long[] bits) {
      if (Arrays.equals(bits, allUsed)) {
        return allUsed;
      }
      return Arrays.equals(bits, allFree) ? allFree : bits;
    }

    private static long count(long[] bits, long validBits) {
      long n = 0;
      for (int i = 0; i < bits.length; i++) {
        long w = bits[i];
        long first = (long) i << 6;
        if (first + 64 > validBits) {
          w &= validBits <= first ? 0 : -1L >>> (64 - (validBits - first));
        }
        n += Long.bitCount(w);
      }
      return n;
    }

    /** Where descriptor block {@code i} is (e2fsprogs' ext2fs_descriptor_block_loc2). */
    private long descriptorBlock(long i) {
      int zeroAdjust = i == 0 && bs == 1024 && sb.clusterSize() > bs ? 1 : 0;
      if (!sb.incompat(Ext4Superblock.INCOMPAT_META_BG) || i < sb.firstMetaBg()) {
        return sb.firstDataBlock() + i + 1 + zeroAdjust;
      }
      long g = descPerBlock * i;
      return groupFirstBlock(g) + (hasSuper(g) ? 1 : 0) + zeroAdjust;
    }

    private long groupFirstBlock(long g) {
      return sb.firstDataBlock() + g * sb.blocksPerGroup();
    }

    /** Whether group {@code g} holds a superblock (and so group descriptors): e2fsprogs' ext2fs_bg_has_super. */
    private boolean hasSuper(long g) {
      if (g == 0) {
        return true;
      }
      if (sb.compat(Ext4Superblock.COMPAT_SPARSE_SUPER2)) {
        return g == sb.backupBg0() || g == sb.backupBg1();
      }
      if (g <= 1 || !sb.roCompat(Ext4Superblock.RO_COMPAT_SPARSE_SUPER)) {
        return true;
      }
      if ((g & 1) == 0) {
        return false;
      }
      return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
      long n = base;
      while (n < g) {
        n *= base;
      }
      return n == g;
    }

    /** The bitmap the kernel builds for a BLOCK_UNINIT group (ext4_init_block_bitmap). */
    private long[] uninitialised(long g, long blockBitmap, long inodeBitmap, long inodeTable) {
      long[] bits = new long[words];
      long meta = 0;
      boolean sup = hasSuper(g);
      if (!sb.incompat(Ext4Superblock.INCOMPAT_META_BG) || g < sb.firstMetaBg() * descPerBlock) {
        if (sup) {
          long gdtBlocks = sb.incompat(Ext4Superblock.INCOMPAT_META_BG) ? sb.firstMetaBg()
              : (groupCount + descPerBlock - 1) / descPerBlock;
          meta = 1 + gdtBlocks + sb.reservedGdtBlocks();
        }
      } else {
        long first = g / descPerBlock * descPerBlock;
        meta = (sup ? 1 : 0) + (g == first || g == first + 1 || g == first + descPerBlock - 1 ? 1 : 0);
      }
      int r = sb.clusterSize() / bs;
      long metaClusters = (meta + r - 1) / r;
      for (long c = 0; c < metaClusters && c < sb.clustersPerGroup(); c++) {
        set(bits, c);
      }
      long start = groupFirstBlock(g);
      long end = start + sb.blocksPerGroup();
      long tableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + bs - 1) / bs;
      for (long b : new long[] {blockBitmap, inodeBitmap}) {
        if (b >= start && b < end) {
          set(bits, (b - start) / r);
        }
      }
      for (long b = Math.max(inodeTable, start); b < inodeTable + tableBlocks && b < end; b++) {
        set(bits, (b - start) / r);
      }
      return bits;
    }

    private static void set(long[] bits, long c) {
      bits[(int) (c >>> 6)] |= 1L << c;
    }

    private ByteBuffer readBlocks(long block, int n, String what) throws IOException {
      if (block < 0 || block + n > sb.blocksCount()) {
        throw new IntegrityException(where() + ": the " + what + " at block " + Long.toUnsignedString(block)
            + " lie outside its " + sb.blocksCount() + " blocks");
      }
      return disk.read(offset + block * bs, n * bs);
    }
  }
}
