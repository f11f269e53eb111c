package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.blocks.Segments.Segment;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.repo.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Names the blocks of one block cycle: reads a segment in windows and gives every block its record,
 * from the parent image where the block is unchanged and the store still holds the parent's chunk,
 * else by hashing it and storing what the repository lacks. Thread-safe: each segment is read on
 * one pool thread, with that thread's window.
 */
final class SegmentHasher {
  private final Posix posix = Posix.get();
  private final ImageStore.ImageWriter writer;
  private final int blockSize;
  private final long size;
  /** A window holds whole blocks. */
  private final int windowSize;
  private final ThreadLocal<ByteBuffer> window;
  private final AtomicReference<Throwable> failure;
  private final BlockCounts counts;
  private final SegmentQueue queue;
  /** A block of zeros, and its fingerprint. */
  private final ByteBuffer zeros;
  private final byte[] zeroPrint = new byte[Fingerprint.LENGTH];

  SegmentHasher(ImageStore.ImageWriter writer, int blockSize, long size, AtomicReference<Throwable> failure,
      BlockCounts counts, SegmentQueue queue) {
    this.writer = writer;
    this.blockSize = blockSize;
    this.size = size;
    this.windowSize = Math.max(BlockMigration.WINDOW, blockSize);
    this.window = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(windowSize));
    this.failure = failure;
    this.counts = counts;
    this.queue = queue;
    this.zeros = ByteBuffer.allocateDirect(blockSize);
    Fingerprint.of(zeros, 0, blockSize, zeroPrint, 0);
  }

  /**
   * Pool thread: reads a segment and names every block. A block whose fingerprint matches the
   * parent's block at the same offset takes the parent's record unhashed; the others are
   * hashed with SHA-256 and stored unless the repository has them.
   */
  void readAndHash(Segment s, int fd, String source) {
    byte[] block = new byte[blockSize];
    ByteBuffer buf = window.get();
    try {
      long first = s.offset / blockSize;
      for (int w = 0; w < s.length && failure.get() == null; w += windowSize) {
        int wLen = Math.min(windowSize, s.length - w);
        int wFirst = w / blockSize;
        int wBlocks = (wLen + blockSize - 1) / blockSize;
        if (s.skip.containsAll(first + wFirst, first + wFirst + wBlocks)) {
          // skipped inside a segment that has data: not read either
          counts.countSkipped(first + wFirst, first + wFirst + wBlocks);
          continue;
        }
        read(buf, wLen, fd, s.offset + w, source);
        counts.bytesRead.addAndGet(wLen);
        for (int i = 0; i < wBlocks; i++) {
          name(s, wFirst + i, buf, i * blockSize, Math.min(blockSize, wLen - i * blockSize), block);
        }
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      queue.done(s);
    }
  }

  /** Names block {@code i} of segment {@code s}, whose bytes are {@code buf[at, at+len)}. */
  private void name(Segment s, int i, ByteBuffer buf, int at, int len, byte[] block) throws IOException {
    byte[] rec = s.records;
    byte[] prev = s.parent;
    int slot = i * BlockTree.SLOT;
    long no = s.offset / blockSize + i;
    if (s.skip.contains(no)) {
      counts.countSkipped(no, no + 1);
      return;
    }
    if (s.changed != null && !s.changed.contains(no) && prev[slot] != BlockTree.HOLE && stored(prev, slot)) {
      System.arraycopy(prev, slot, rec, slot, BlockTree.SLOT);
      counts.unchanged.incrementAndGet();
      return;
    }
    Fingerprint.of(buf, at, len, rec, slot + BlockTree.FP);
    if ((len < blockSize || Fingerprint.equal(rec, slot + BlockTree.FP, zeroPrint, 0)) && isZero(buf, at, len)) {
      counts.zero.incrementAndGet();
      return;
    }
    rec[slot] = BlockTree.HASHED;
    if (prev[slot] == BlockTree.HASHED && Fingerprint.equal(rec, slot + BlockTree.FP, prev, slot + BlockTree.FP)) {
      if (stored(prev, slot)) {
        System.arraycopy(prev, slot + BlockTree.ID, rec, slot + BlockTree.ID, ChunkId.LENGTH);
        counts.unchanged.incrementAndGet();
        return;
      }
      counts.recovered.incrementAndGet(); // the parent's chunk is lost: this block is stored again below
    }
    buf.get(at, block, 0, len);
    byte[] sha = Hashing.sha256(block, 0, len);
    System.arraycopy(sha, 0, rec, slot + BlockTree.ID, ChunkId.LENGTH);
    if (BlockTree.sameId(rec, slot, prev, slot) && stored(prev, slot)) {
      counts.unchanged.incrementAndGet(); // a version-1 parent, which has no fingerprints
    } else if (writer.putChunk(ChunkId.of(sha), ByteBuffer.wrap(block, 0, len)) > 0) {
      counts.stored.incrementAndGet();
    } else {
      counts.reused.incrementAndGet();
    }
  }

  /** Whether the store can produce the chunk the parent's record at {@code slot} names. */
  private boolean stored(byte[] prev, int slot) throws IOException {
    return writer.hasChunk(ChunkId.of(prev, slot + BlockTree.ID));
  }

  /** Whether every block of a segment the hints say is unchanged can be taken from the parent. */
  boolean allStored(byte[] prev, int blocks, BlockRanges skip, long first) throws IOException {
    for (int i = 0; i < blocks; i++) {
      if (!skip.contains(first + i) && prev[i * BlockTree.SLOT] != BlockTree.HOLE
          && !stored(prev, i * BlockTree.SLOT)) {
        counts.recovered.incrementAndGet();
        return false;
      }
    }
    return true;
  }

  /** Reads {@code len} bytes at {@code offset} into {@code buf[0, len)}. */
  private void read(ByteBuffer buf, int len, int fd, long offset, String source) throws IOException {
    buf.clear().limit(len);
    while (buf.hasRemaining()) {
      long at = offset + buf.position();
      if (posix.pread(fd, buf, at) <= 0) {
        throw new SmcException(ErrorCode.SOURCE_IO, "source " + source + " ended at " + at + " of " + size
            + " bytes while read");
      }
    }
  }

  private boolean isZero(ByteBuffer buf, int at, int len) {
    return buf.slice(at, len).mismatch(zeros.slice(0, len)) < 0;
  }
}
