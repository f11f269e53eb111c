package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
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
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which blocks of a disk a block cycle neither reads nor stores. */
final class SkippedBlocks {
  private static final Logger LOG = LoggerFactory.getLogger(SkippedBlocks.class);

  private SkippedBlocks() {}

  /**
   * Blocks neither read nor stored: partitions left out, and blocks an ext2/3/4 file system marks
   * free (when its blocks line up with ours). The partition tables and gaps are always copied.
   */
  static BlockRanges of(Path disk, int blockSize, @Nullable Set<Integer> partitions, boolean skipFreeSpace)
      throws IOException {
    if (partitions == null && !skipFreeSpace) {
      return BlockRanges.EMPTY;
    }
    BlockRanges.Builder b = new BlockRanges.Builder();
    try (DiskReader reader = DiskReader.open(disk)) {
      DiskLayout layout = PartitionTable.read(reader);
      if (partitions != null) {
        for (int n : partitions) {
          if (layout.partition(n).isEmpty()) {
            throw new SmcException(ErrorCode.INVALID_SPEC, "partitions: disk " + disk + " has no partition " + n
                + " (it has " + layout.partitions().stream().map(p -> String.valueOf(p.number())).toList() + ")");
          }
        }
      }
      for (Partition p : layout.partitions()) {
        if (p.isExtended()) {
          continue;
        }
        long first = (p.startBytes() + blockSize - 1) / blockSize;
        long end = (p.startBytes() + p.sizeBytes()) / blockSize;
        if (partitions != null && !partitions.contains(p.number())) {
          b.add(first, end);
          continue;
        }
        if (!skipFreeSpace || p.startBytes() % blockSize != 0) {
          continue;
        }
        java.util.Optional<FsInfo> fs = FileSystems.detect(reader, p.startBytes(), p.sizeBytes());
        if (fs.isEmpty() || !fs.get().type().isExt() || fs.get().blockSize().orElse(0) != blockSize) {
          continue;
        }
        Ext4Bitmaps bitmaps = Ext4Bitmaps.read(reader, p.startBytes(), p.sizeBytes());
        long base = p.startBytes() / blockSize;
        long at = 0;
        for (Ext4Bitmaps.Extent used : bitmaps.usedExtents()) {
          b.add(base + at, base + used.firstBlock());
          at = used.endBlock();
        }
        b.add(base + at, base + Math.min(bitmaps.blockCount(), p.sizeBytes() / blockSize));
      }
    } catch (dev.smc.IntegrityException e) {
      if (partitions != null) {
        throw new SmcException(ErrorCode.INVALID_SPEC, "partitions: the partition table of " + disk
            + " cannot be read: " + e.getMessage(), e);
      }
      LOG.warn("{}: partition table or file system not understood ({}); reading every block", disk, e.getMessage());
      return BlockRanges.EMPTY;
    }
    return b.build();
  }
}
