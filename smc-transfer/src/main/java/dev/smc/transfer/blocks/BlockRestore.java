package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a block image back to a raw disk: a new sparse file (holes stay holes), or a block
 * device (holes are written as zeros, since a device keeps whatever it held). Every block is
 * verified against its hash as it is read. Immutable and thread-safe.
 */
public final class BlockRestore {
  private static final int SEGMENT = 4 << 20;
  private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  private static final byte[] ZEROS = new byte[SEGMENT];

  /**
   * Writes the blocks {@code ids} (from block {@code first}) through {@code buf}: every run of
   * consecutive blocks is one write; holes are skipped in a file and written as zeros on a device.
   * Returns the blocks written from the image.
   */
  private static long writeSegment(Posix posix, ImageStore.ImageReader reader, ImageRef ref, int fd, ByteBuffer buf,
      ChunkId[] ids, long first, int bs, long size, boolean device) throws IOException {
    buf.clear();
    java.util.List<ChunkId> present = new java.util.ArrayList<>();
    java.util.List<Integer> at = new java.util.ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      long off = (first + i) * bs;
      int len = (int) Math.min(bs, size - off);
      if (ids[i] == null) {
        buf.put(i * bs, ZEROS, 0, len);
      } else {
        present.add(ids[i]);
        at.add(i);
      }
    }
    // neighbouring blocks were stored side by side: they come with one read each run
    reader.chunks(present, (k, data) -> {
      int i = at.get(k);
      int len = (int) Math.min(bs, size - (first + i) * bs);
      if (data.remaining() != len) {
        throw new SmcException(ErrorCode.INTEGRITY, "image " + ref + ": block " + (first + i) + " holds "
            + data.remaining() + " bytes, expected " + len);
      }
      buf.put(i * bs, data, data.position(), len);
    });
    long written = present.size();
    int i = 0;
    while (i < ids.length) {
      if (ids[i] == null && !device) {
        i++;
        continue;
      }
      int j = i;
      long bytes = 0;
      while (j < ids.length && (ids[j] != null || device)) {
        bytes += Math.min(bs, size - (first + j) * bs);
        j++;
      }
      ByteBuffer run = buf.duplicate();
      run.position(i * bs).limit((int) (i * (long) bs + bytes));
      posix.pwrite(fd, run, (first + i) * bs);
      i = j;
    }
    return written;
  }
  /** What a restore did. */
  public record Report(ImageRef image, long diskSize, long blocksWritten, long blocksHoles, Duration elapsed) {}

  /** Restores {@code ref} to {@code target}: a file that does not exist yet or is empty, or a block device. */
  public Report restore(ImageStore store, ImageRef ref, Path target) throws IOException {
    long start = System.nanoTime();
    Posix posix = Posix.get();
    byte[] path = target.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    try (ImageStore.ImageReader reader = store.openImage(ref)) {
      if (reader.info().kind() != ImageKind.BLOCKS) {
        throw new SmcException(ErrorCode.INVALID_SPEC, "image " + ref + " holds " + reader.info().kind()
            + ", not a disk");
      }
      boolean device = false;
      try {
        Stat st = posix.lstat(path);
        device = st.isBlockDevice();
        if (!device && !(st.isRegular() && st.size() == 0)) {
          throw new SmcException(ErrorCode.INVALID_SPEC, "target " + target
              + " must be a new file, an empty file or a block device");
        }
      } catch (PosixException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
      int fd = posix.open(path, Posix.O_WRONLY | (device ? 0 : Posix.O_CREAT) | Posix.O_CLOEXEC, 0644);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "smc-block-restore");
        t.setDaemon(true);
        return t;
      });
      java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(THREADS * 2);
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
      long holes = 0;
      boolean toDevice = device;
      try (BlockTree.Reader tr = new BlockTree.Reader(reader.tree())) {
        int bs = tr.blockSize();
        long size = tr.diskSize();
        if (!device) {
          posix.ftruncate(fd, size);
        }
        int perSegment = Math.max(1, SEGMENT / bs);
        ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(perSegment * bs));
        for (long first = 0; first < tr.blocks() && failure.get() == null; first += perSegment) {
          int n = (int) Math.min(perSegment, tr.blocks() - first);
          ChunkId[] ids = new ChunkId[n];
          for (int i = 0; i < n; i++) {
            ids[i] = tr.next();
            if (ids[i] == null) {
              holes++;
            }
          }
          long segStart = first;
          slots.acquireUninterruptibly();
          pool.execute(() -> {
            try {
              written.addAndGet(writeSegment(posix, reader, ref, fd, buffers.get(), ids, segStart, bs, size, toDevice));
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              slots.release();
            }
          });
        }
        slots.acquireUninterruptibly(THREADS * 2);
        dev.smc.transfer.internal.Cycles.rethrow(failure.get());
        posix.fsync(fd);
        return new Report(ref, size, written.get(), holes, Duration.ofNanos(System.nanoTime() - start));
      } finally {
        pool.shutdownNow();
        posix.close(fd);
      }
    }
  }
}
