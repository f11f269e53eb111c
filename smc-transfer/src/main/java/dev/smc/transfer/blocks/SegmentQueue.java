package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.transfer.blocks.Segments.Frame;
import dev.smc.transfer.blocks.Segments.Segment;
import dev.smc.transfer.internal.Cycles;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The segments of one block cycle in disk order: each is written to the tree once it and all
 * before it are done, and its frame goes back to a fixed pool of {@value #BUFFERS}, so memory stays
 * bounded whatever the disk's size. Segments are added and written on the cycle's thread;
 * {@link #done} is called on hashing threads.
 */
final class SegmentQueue {
  private static final int BUFFERS = 8;

  private final BlockingQueue<Frame> frames = new ArrayBlockingQueue<>(BUFFERS);
  private final ArrayDeque<Segment> queue = new ArrayDeque<>();
  private final BlockTree.Writer tree;
  private final AtomicReference<Throwable> failure;
  private final BlockCounts counts;
  private final TaskId task;

  SegmentQueue(BlockTree.Writer tree, int blockSize, AtomicReference<Throwable> failure, BlockCounts counts,
      TaskId task) {
    this.tree = tree;
    this.failure = failure;
    this.counts = counts;
    this.task = task;
    for (int i = 0; i < BUFFERS; i++) {
      frames.add(new Frame(blockSize));
    }
  }

  /** A free frame; frames come back as {@link #drain} writes finished segments. */
  Frame takeFrame() throws IOException {
    while (true) {
      drain();
      Frame f = frames.poll();
      if (f != null) {
        return f;
      }
      synchronized (this) {
        Segment head = queue.peek();
        if ((head == null || !head.done) && failure.get() == null) {
          try {
            wait(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
          }
        }
      }
    }
  }

  void enqueue(Segment s) throws IOException {
    synchronized (this) {
      queue.add(s);
    }
    drain();
  }

  /** Hashing thread: a segment has every block named (or the read failed). */
  void done(Segment s) {
    synchronized (this) {
      s.done = true;
      notifyAll();
    }
  }

  /** Writes finished segments, in disk order, to the tree. */
  private void drain() throws IOException {
    checkFailure();
    while (true) {
      Segment head;
      synchronized (this) {
        head = queue.peek();
        if (head == null || !head.done) {
          break;
        }
        queue.poll();
      }
      for (int i = 0; i < head.blocks; i++) {
        tree.record(head.records, i * BlockTree.SLOT);
      }
      frames.add(head.frame);
      counts.written(head);
    }
  }

  /** Writes every segment to the tree as it is done, until none is left; rethrows a hashing thread's failure. */
  void waitAll() throws IOException {
    while (true) {
      synchronized (this) {
        if (queue.isEmpty()) {
          return;
        }
        if (!queue.peek().done && failure.get() == null) {
          try {
            wait(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
          }
        }
      }
      drain();
    }
  }

  private void checkFailure() throws IOException {
    Cycles.rethrow(failure.get());
  }
}
