package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
import dev.smc.IntegrityException;
import dev.smc.SmcException;
import dev.smc.transfer.disk.DiskLayout;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.Ext4Bitmaps;
import dev.smc.transfer.disk.FileSystems;
import dev.smc.transfer.disk.FsInfo;
import dev.smc.transfer.disk.Partition;
import dev.smc.transfer.disk.PartitionTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which blocks of a disk a block cycle neither reads nor stores: those of partitions left out, and those an
 * ext2/3/4 file system marks free. Immutable and thread-safe.
 *
 * <p>The file system's blocks need not be ours: its free blocks are turned into byte ranges and only our blocks
 * wholly inside them are skipped, so a file system of 1 KiB blocks (mke2fs's default below 512 MiB, so most
 * {@code /boot} partitions) or 2 KiB or 64 KiB ones, or one that starts at an offset that is no multiple of our
 * block, skips what it can and never a byte that is in use.
 */
final class SkippedBlocks {
  private static final Logger LOG = LoggerFactory.getLogger(SkippedBlocks.class);
  static final SkippedBlocks NONE = new SkippedBlocks(BlockRanges.EMPTY, BlockRanges.EMPTY);

  private final BlockRanges all;
  private final BlockRanges leftOut;

  private SkippedBlocks(BlockRanges all, BlockRanges leftOut) {
    this.all = all;
    this.leftOut = leftOut;
  }

  /** Every block neither read nor stored. */
  BlockRanges all() {
    return all;
  }

  /** The blocks of the partitions left out (a part of {@link #all()}); the rest of it is free space. */
  BlockRanges leftOut() {
    return leftOut;
  }

  /**
   * Blocks of {@code blockSize} bytes neither read nor stored: partitions not in {@code partitions} (null: none
   * left out), and with {@code skipFreeSpace} the free blocks of every ext2/3/4 file system in a partition, or of
   * the one that fills a disk without a partition table (a partition read as {@code /dev/sda1}). The partition
   * tables and gaps are always copied. A file system whose bitmaps make no sense is read whole, with a warning.
   *
   * @throws SmcException {@code INVALID_SPEC} when {@code partitions} names a partition the disk lacks, or the
   *     partition table cannot be read while partitions were chosen
   */
  static SkippedBlocks of(Path disk, int blockSize, @Nullable Set<Integer> partitions, boolean skipFreeSpace)
      throws IOException {
    if (partitions == null && !skipFreeSpace) {
      return NONE;
    }
    BlockRanges.Builder all = new BlockRanges.Builder();
    BlockRanges.Builder leftOut = new BlockRanges.Builder();
    try (DiskReader reader = DiskReader.open(disk)) {
      DiskLayout layout;
      try {
        layout = PartitionTable.read(reader);
      } catch (IntegrityException e) {
        if (partitions != null) {
          throw new SmcException(ErrorCode.INVALID_SPEC, "partitions: the partition table of " + disk
              + " cannot be read: " + e.getMessage(), e);
        }
        LOG.warn("{}: partition table not understood ({}); reading every block", disk, e.getMessage());
        return NONE;
      }
      if (partitions != null) {
        for (int n : partitions) {
          if (layout.partition(n).isEmpty()) {
            throw new SmcException(ErrorCode.INVALID_SPEC, "partitions: disk " + disk + " has no partition " + n
                + " (it has " + layout.partitions().stream().map(p -> String.valueOf(p.number())).toList() + ")");
          }
        }
      }
      if (layout.tableType() == DiskLayout.TableType.NONE && skipFreeSpace) {
        addFree(all, reader, disk + " (the whole disk)", 0, reader.size(), blockSize);
      }
      for (Partition p : layout.partitions()) {
        if (p.isExtended()) {
          continue;
        }
        if (partitions != null && !partitions.contains(p.number())) {
          long first = (p.startBytes() + blockSize - 1) / blockSize;
          long end = (p.startBytes() + p.sizeBytes()) / blockSize;
          all.add(first, end);
          leftOut.add(first, end);
        } else if (skipFreeSpace) {
          addFree(all, reader, disk + " partition " + p.number(), p.startBytes(), p.sizeBytes(), blockSize);
        }
      }
    }
    return new SkippedBlocks(all.build(), leftOut.build());
  }

  /** Adds the blocks an ext2/3/4 file system in {@code size} bytes at {@code start} marks free, if there is one. */
  private static void addFree(BlockRanges.Builder b, DiskReader reader, String where, long start, long size,
      int blockSize) throws IOException {
    Optional<FsInfo> fs = FileSystems.detect(reader, start, size);
    if (fs.isEmpty() || !fs.get().type().isExt()) {
      return;
    }
    Ext4Bitmaps bitmaps;
    try {
      bitmaps = Ext4Bitmaps.read(reader, start, size);
    } catch (IntegrityException e) {
      LOG.warn("{}: {} not understood ({}); reading all of it", where, fs.get().type(), e.getMessage());
      return;
    }
    bitmaps.warnings().forEach(w -> LOG.warn("{}: {}", where, w));
    long fsBlock = bitmaps.blockSize();
    long at = 0;
    for (Ext4Bitmaps.Extent used : bitmaps.usedExtents()) {
      addBytes(b, start + at * fsBlock, start + used.firstBlock() * fsBlock, blockSize);
      at = used.endBlock();
    }
    addBytes(b, start + at * fsBlock, start + bitmaps.blockCount() * fsBlock, blockSize);
  }

  /** Adds our blocks that lie wholly inside the bytes {@code [from, to)}. */
  private static void addBytes(BlockRanges.Builder b, long from, long to, int blockSize) {
    b.add((from + blockSize - 1) / blockSize, to / blockSize);
  }
}
