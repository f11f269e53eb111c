package dev.smc.transfer.files;

import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.repo.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the files of one cycle on a pool of threads, in segments so that threads share one big
 * file: names each chunk, stores the chunks the store lacks, and never stores holes or all-zero
 * chunks. A file that changes while read is read again, up to {@value #MAX_ATTEMPTS} times.
 * Thread-safe: {@link #schedule} is called on the cycle's thread, the rest runs on the pool.
 */
final class SegmentReader {
  /** Large files are read as segments of this many bytes, so both cores share one big file. */
  static final long SEGMENT = 16L << 20;
  private static final int MAX_ATTEMPTS = 3;

  private final Posix posix = Posix.get();
  private final ExecutorService pool;
  private final ImageStore.ImageWriter writer;
  private final int chunkSize;
  private final ThreadLocal<Buffers> buffers;
  private final AtomicReference<Throwable> failure;
  private final FileCounts counts;
  private final EntryQueue queue;

  SegmentReader(ExecutorService pool, ImageStore.ImageWriter writer, int chunkSize,
      AtomicReference<Throwable> failure, FileCounts counts, EntryQueue queue) {
    this.pool = pool;
    this.writer = writer;
    this.chunkSize = chunkSize;
    this.buffers = ThreadLocal.withInitial(() -> new Buffers(chunkSize));
    this.failure = failure;
    this.counts = counts;
    this.queue = queue;
  }

  /** Reads the file of {@code n} on the pool; the queue is told once it is done. */
  void schedule(QueuedEntry n) {
    long size = n.entry.size;
    int chunks = (int) ((size + chunkSize - 1) / chunkSize);
    n.entry.chunks = new ChunkId[chunks];
    int segments = (int) Math.max(1, (size + SEGMENT - 1) / SEGMENT);
    n.remaining.set(segments);
    n.changed = false;
    for (int s = 0; s < segments; s++) {
      long from = s * SEGMENT;
      long to = Math.min(size, from + SEGMENT);
      pool.execute(() -> readSegment(n, from, to));
    }
  }

  private void readSegment(QueuedEntry n, long from, long to) {
    try {
      if (failure.get() == null) {
        readRange(n, from, to);
      }
    } catch (PosixException e) {
      synchronized (n) {
        if (e.isNotFound()) {
          n.warning = "vanished while read; left out";
        } else {
          n.warning = "cannot be read: " + e.getMessage() + "; left out";
        }
        n.entry.chunks = null;
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      if (n.remaining.decrementAndGet() == 0) {
        finish(n);
      }
    }
  }

  private void readRange(QueuedEntry n, long from, long to) throws IOException {
    Entry e = n.entry;
    int flags = Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC;
    int fd;
    try {
      fd = posix.open(n.abs, flags | Posix.O_NOATIME, 0);
    } catch (PosixException ex) {
      if (ex.errno() != 1) { // EPERM: O_NOATIME needs ownership
        throw ex;
      }
      fd = posix.open(n.abs, flags, 0);
    }
    try {
      Stat before = posix.fstat(fd);
      if (!before.isRegular() || before.ino() != e.ino) {
        markChanged(n);
        return;
      }
      if (from == 0 && to >= e.size) {
        posix.fadviseSequential(fd);
      }
      boolean sparse = before.blocks512() * 512 < before.size();
      long dataAt = from;
      long holeAt = sparse ? -1 : Long.MAX_VALUE;
      Buffers b = buffers.get();
      for (long off = from; off < to; off += chunkSize) {
        int len = (int) Math.min(chunkSize, to - off);
        int idx = (int) (off / chunkSize);
        if (sparse) {
          if (off >= holeAt || holeAt < 0) {
            dataAt = posix.seekData(fd, off);
            holeAt = dataAt < 0 ? Long.MAX_VALUE : posix.seekHole(fd, dataAt);
            if (dataAt < 0) {
              dataAt = Long.MAX_VALUE;
            }
          }
          if (dataAt >= off + len) {
            e.chunks[idx] = null; // the whole chunk lies in a hole
            continue;
          }
        }
        b.direct.clear().limit(len);
        int got = 0;
        while (got < len) {
          int r = posix.pread(fd, b.direct, off + got);
          if (r <= 0) {
            break;
          }
          got += r;
        }
        counts.bytesRead.addAndGet(got);
        if (got < len) {
          markChanged(n); // shrank while read
          return;
        }
        b.direct.flip();
        b.direct.get(b.heap, 0, len);
        if (Arrays.mismatch(b.heap, 0, len, b.zeros, 0, len) < 0) {
          e.chunks[idx] = null;
          continue;
        }
        ChunkId id = ChunkId.of(Hashing.sha256(b.heap, 0, len));
        e.chunks[idx] = id;
        if (writer.putChunk(id, ByteBuffer.wrap(b.heap, 0, len)) > 0) {
          counts.chunksNew.incrementAndGet();
        } else {
          counts.chunksReused.incrementAndGet();
        }
      }
      Stat after = posix.fstat(fd);
      if (after.mtimeNs() != e.mtimeNs || after.ctimeNs() != e.ctimeNs || after.size() != e.size) {
        markChanged(n);
      }
    } finally {
      posix.close(fd);
    }
  }

  private void markChanged(QueuedEntry n) {
    synchronized (n) {
      n.changed = true;
    }
  }

  private void finish(QueuedEntry n) {
    boolean retry = false;
    synchronized (n) {
      if (n.changed && n.warning == null && failure.get() == null) {
        n.attempts++;
        try {
          Stat st = posix.lstat(n.abs);
          if (!st.isRegular()) {
            n.warning = "changed type while read; left out";
            n.entry.chunks = null;
          } else if (n.attempts < MAX_ATTEMPTS) {
            n.entry.setStat(st);
            retry = true;
          } else {
            n.warning = "changed while read " + MAX_ATTEMPTS + " times; the image holds the content as last read";
          }
        } catch (PosixException ex) {
          n.warning = "vanished while read; left out";
          n.entry.chunks = null;
        }
      }
    }
    if (retry) {
      schedule(n);
      return;
    }
    queue.release(n);
  }

  /** Per-thread read buffers. */
  private static final class Buffers {
    final ByteBuffer direct;
    final byte[] heap;
    final byte[] zeros;

    Buffers(int chunkSize) {
      direct = ByteBuffer.allocateDirect(chunkSize);
      heap = new byte[chunkSize];
      zeros = new byte[chunkSize];
    }
  }
}
