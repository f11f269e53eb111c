package dev.smc.transfer.blocks;

import java.util.Arrays;
import javax.annotation.Nullable;

/** What a block cycle has in flight: segments of the disk and the reused memory they use. */
final class Segments {
  private Segments() {}

  /**
   * One read of the disk: its blocks' records ({@link BlockTree#SLOT}-byte slots, holes until set)
   * are filled in by a hashing thread, next to the parent image's records for the same blocks.
   */
  static final class Segment {
    final long offset;
    final int length;
    final int blocks;
    final Frame frame;
    final byte[] records;
    final byte[] parent;
    BlockRanges skip = BlockRanges.EMPTY;
    @Nullable BlockRanges changed;
    volatile boolean done;

    Segment(long offset, int length, int blocks, Frame frame) {
      this.offset = offset;
      this.length = length;
      this.blocks = blocks;
      this.frame = frame;
      this.records = frame.records;
      this.parent = frame.parent;
    }
  }

  /**
   * The records of one segment in flight and its parent's, reused from segment to segment (fresh
   * memory costs a page fault per 4 KiB).
   */
  static final class Frame {
    final byte[] records;
    final byte[] parent;

    Frame(int blockSize) {
      records = new byte[BlockMigration.SEGMENT / blockSize * BlockTree.SLOT];
      parent = new byte[records.length];
    }

    /** Clears the records to holes for the next segment. */
    Frame reset() {
      Arrays.fill(records, (byte) 0);
      Arrays.fill(parent, (byte) 0);
      return this;
    }
  }
}
