package dev.smc.transfer.blocks;

import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.TaskId;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.internal.ProgressMeter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one block cycle has counted, block by block, and the progress it reports from that. The
 * atomics are counted on hashing threads; the rest, and {@link #progress}, on the cycle's thread
 * (and {@link #progress} on a pool thread while the image is committed).
 */
final class BlockCounts {
  private final MigrationListener listener;
  private final TaskId task;
  private final ImageStore.ImageWriter writer;
  private final int blockSize;
  private final ProgressMeter meter = new ProgressMeter(System::nanoTime);
  private long lastProgress;
  /** Bytes done, of those to read: the disk without the blocks skipped. */
  private long scanned;

  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong zero = new AtomicLong();
  final AtomicLong unchanged = new AtomicLong();
  final AtomicLong stored = new AtomicLong();
  final AtomicLong reused = new AtomicLong();
  /** Blocks whose parent chunk the store lost, so they were stored again. */
  final AtomicLong recovered = new AtomicLong();
  long holes;
  /** Skipped blocks that a file system marks free, and those of partitions left out: neither read nor stored. */
  final AtomicLong free = new AtomicLong();
  final AtomicLong leftOut = new AtomicLong();
  SkippedBlocks skipped = SkippedBlocks.NONE;

  BlockCounts(MigrationListener listener, TaskId task, ImageStore.ImageWriter writer, int blockSize) {
    this.listener = listener;
    this.task = task;
    this.writer = writer;
    this.blockSize = blockSize;
  }

  /** The bytes the cycle is to read, known before the first read. */
  void exact(long bytes) {
    meter.exact(bytes);
  }

  /** A segment of the disk has been written to the tree: its bytes not skipped are done. */
  void written(Segments.Segment s) {
    long first = s.offset / blockSize;
    scanned += s.length - skipped.all().count(first, first + s.blocks) * blockSize;
    progress(false);
  }

  void progress(boolean last) {
    long now = System.nanoTime();
    if (!last && now - lastProgress < 250_000_000L) {
      return;
    }
    lastProgress = now;
    Progress p = meter.snapshot(scanned, bytesRead.get(), writer.bytesStored(), writer.bytesSent(), 0);
    Cycles.safe(() -> listener.progress(task, p));
  }

  /**
   * Counts the skipped blocks of {@code [first, end)}: left out when in a partition left out, else free.
   *
   * @return how many there are
   */
  long countSkipped(long first, long end) {
    long n = skipped.all().count(first, end);
    long out = skipped.leftOut().count(first, end);
    leftOut.addAndGet(out);
    free.addAndGet(n - out);
    return n;
  }
}
