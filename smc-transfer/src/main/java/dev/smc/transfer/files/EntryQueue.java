package dev.smc.transfer.files;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.transfer.internal.Cycles;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The entries of one file cycle in walk order: each is written to the tree once it and all before
 * it are done, so files are read in parallel but the tree stays ordered. Bounds both the entries
 * waiting and the bytes being read. Entries are added and written on the cycle's thread;
 * {@link #release} is called on reader threads.
 */
final class EntryQueue {
  /** Entries kept in memory while waiting to be written in order. */
  static final int MAX_QUEUED = 65_536;

  private final ArrayDeque<QueuedEntry> queue = new ArrayDeque<>();
  private final TreeFormat.Writer tree;
  private final long maxInFlightBytes;
  private final AtomicReference<Throwable> failure;
  private final FileCounts counts;
  private final FileWarnings warnings;
  private final TaskId task;
  private long treeCount;
  private long inFlightBytes;

  EntryQueue(TreeFormat.Writer tree, long maxInFlightBytes, AtomicReference<Throwable> failure, FileCounts counts,
      FileWarnings warnings, TaskId task) {
    this.tree = tree;
    this.maxInFlightBytes = maxInFlightBytes;
    this.failure = failure;
    this.counts = counts;
    this.warnings = warnings;
    this.task = task;
  }

  /** Adds an entry in walk order, waiting while too many wait behind a file still being read. */
  void emit(QueuedEntry n) throws IOException {
    synchronized (this) {
      // entries wait behind a file still being read; bound them too, not only the bytes to read
      while (queue.size() >= MAX_QUEUED && !queue.peek().done && failure.get() == null) {
        waitForWorkers();
      }
      queue.add(n);
    }
    drainDone();
    counts.progress(false);
  }

  private void drainDone() throws IOException {
    while (true) {
      QueuedEntry head;
      synchronized (this) {
        head = queue.peek();
        if (head == null || !head.done) {
          break;
        }
        queue.poll();
      }
      if (head.warning != null) {
        warnings.warn(head.entry.path, head.warning);
      }
      Entry e = head.entry;
      if (e.kind == Entry.HARDLINK) {
        if (head.linkFirst.treeOrdinal < 0) {
          warnings.warn(e.path, "hard link to a file that was left out; left out");
          continue;
        }
        e.linkTo = head.linkFirst.treeOrdinal;
      }
      if (e.chunks != null || e.kind != Entry.REG) {
        head.treeOrdinal = treeCount++;
        tree.write(e);
      }
    }
  }

  void flushTree() throws IOException {
    tree.finish();
  }

  /**
   * Counts a file about to be read against the bytes in flight, waiting while they are too many;
   * the caller then schedules its reading.
   */
  void admit(QueuedEntry n) throws IOException {
    long cost = Math.max(n.entry.size, 4096);
    synchronized (this) {
      while (inFlightBytes > 0 && inFlightBytes + cost > maxInFlightBytes && failure.get() == null) {
        waitForWorkers();
      }
      inFlightBytes += cost;
      n.pending = n.entry.size;
      counts.pendingBytes.addAndGet(n.pending);
    }
    checkFailure();
  }

  /** Reader thread: a file has been read (or left out); it may now be written. */
  void release(QueuedEntry n) {
    synchronized (this) {
      inFlightBytes -= Math.max(n.entry.size, 4096);
      counts.pendingBytes.addAndGet(-n.pending);
      n.done = true;
      notifyAll();
    }
  }

  private void waitForWorkers() {
    try {
      wait(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
    }
  }

  /** Waits until every entry is written, or a reader failed. */
  void waitAll() throws IOException {
    while (true) {
      synchronized (this) {
        if (queue.isEmpty() || failure.get() != null) {
          break;
        }
        if (!queue.peek().done) {
          waitForWorkers();
        }
      }
      checkFailure();
      drainDone();
      counts.progress(false);
    }
    checkFailure();
  }

  void checkFailure() throws IOException {
    Cycles.rethrow(failure.get());
  }
}
