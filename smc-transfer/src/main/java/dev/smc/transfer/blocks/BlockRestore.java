package dev.smc.transfer.blocks;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.paths.RestoreFailure;
import dev.smc.transfer.paths.RestoreTarget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a block image back to a raw disk: a new sparse file (holes stay holes), or a block
 * device (holes are written as zeros, since a device keeps whatever it held). Every block is
 * verified against its hash as it is read.
 *
 * <p>A restore that fails (damaged data, a full disk) removes the file it created (or empties the
 * empty file it was given) unless {@link #keepPartial(boolean)} says to keep it; on a block device
 * its error says that the device holds a partial image. Its error names the image, the target and
 * what failed: {@code restore of disk-CYCLE_2 into /r/disk.img: writing /r/disk.img at byte
 * 4194304: no space left on device (ENOSPC); the file it created was removed}. Immutable and
 * thread-safe.
 */
public final class BlockRestore {
  private static final int SEGMENT = 4 << 20;
  private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  private static final byte[] ZEROS = new byte[SEGMENT];

  private final boolean keepPartial;

  public BlockRestore() {
    this(false);
  }

  private BlockRestore(boolean keepPartial) {
    this.keepPartial = keepPartial;
  }

  /** This restore, keeping (with {@code true}) the partial disk file of a restore that fails instead of removing it. */
  public BlockRestore keepPartial(boolean keep) {
    return new BlockRestore(keep);
  }

  /**
   * Writes the blocks {@code ids} (from block {@code first}) through {@code buf}: every run of
   * consecutive blocks is one write; holes are skipped in a file and written as zeros on a device.
   * Returns the blocks written from the image.
   */
  private static long writeSegment(Posix posix, ImageStore.ImageReader reader, ImageRef ref, int fd, ByteBuffer buf,
      ChunkId[] ids, long first, int bs, long size, boolean device, String target) throws IOException {
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
    try {
      reader.chunks(present, (k, data) -> {
        int i = at.get(k);
        int len = (int) Math.min(bs, size - (first + i) * bs);
        if (data.remaining() != len) {
          throw new SmcException(ErrorCode.INTEGRITY, "image " + ref + ": block " + (first + i) + " holds "
              + data.remaining() + " bytes, expected " + len);
        }
        buf.put(i * bs, data, data.position(), len);
      });
    } catch (IOException | RuntimeException e) {
      throw RestoreFailure.at("reading the blocks from byte " + first * bs + " for", target, e);
    }
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
      try {
        posix.pwrite(fd, run, (first + i) * bs);
      } catch (PosixException e) {
        throw RestoreFailure.at("writing", target + " at byte " + (first + i) * bs, e);
      }
      i = j;
    }
    return written;
  }
  /**
   * What a restore did.
   *
   * @param target where it wrote: the target with every symlink of its folder's path resolved
   */
  public record Report(ImageRef image, Path target, long diskSize, long blocksWritten, long blocksHoles,
      Duration elapsed) {}

  /**
   * Restores {@code ref} to {@code target}: a file that does not exist yet or is empty, or a block
   * device. The path of its folder is resolved first ({@link RestoreTarget}) and the restore writes
   * there; a target that is itself a symlink is refused (give the device's own path), and so is one
   * in the store's own folder.
   */
  public Report restore(ImageStore store, ImageRef ref, Path given) throws IOException {
    long start = System.nanoTime();
    Posix posix = Posix.get();
    Path target = RestoreTarget.resolve(store, given);
    byte[] path = PathBytes.of(target);
    try (ImageStore.ImageReader reader = store.openImage(ref)) {
      if (reader.info().kind() != ImageKind.BLOCKS) {
        throw new SmcException(ErrorCode.INVALID_SPEC, "image " + ref + " holds " + reader.info().kind()
            + ", not a disk");
      }
      boolean device = false;
      boolean created = true;
      try {
        Stat st = posix.lstat(path);
        created = false;
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
      int fd;
      try {
        fd = posix.open(path, Posix.O_WRONLY | (device ? 0 : Posix.O_CREAT | Posix.O_NOFOLLOW) | Posix.O_CLOEXEC, 0644);
      } catch (PosixException e) {
        throw RestoreFailure.of("restore of " + ref + " into " + target, RestoreFailure.at("opening", target.toString(),
            e), "nothing was written");
      }
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
      String shown = target.toString();
      try (BlockTree.Reader tr = new BlockTree.Reader(reader.tree())) {
        int bs = tr.blockSize();
        long size = tr.diskSize();
        if (!device) {
          try {
            posix.ftruncate(fd, size);
          } catch (PosixException e) {
            throw RestoreFailure.at("sizing", shown + " to " + size + " bytes", e);
          }
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
              written.addAndGet(writeSegment(posix, reader, ref, fd, buffers.get(), ids, segStart, bs, size, toDevice,
                  shown));
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              slots.release();
            }
          });
        }
        slots.acquireUninterruptibly(THREADS * 2);
        dev.smc.transfer.internal.Cycles.rethrow(failure.get());
        try {
          posix.fsync(fd);
        } catch (PosixException e) {
          throw RestoreFailure.at("writing", shown, e);
        }
        return new Report(ref, target, size, written.get(), holes, Duration.ofNanos(System.nanoTime() - start));
      } catch (IOException | RuntimeException e) {
        pool.shutdown();
        awaitQuietly(pool); // no write may land after the file is removed
        throw RestoreFailure.of("restore of " + ref + " into " + target, e, leave(posix, path, fd, device, created));
      } finally {
        pool.shutdownNow();
        posix.close(fd);
      }
    }
  }

  /** What a failed restore leaves of its target, said in its error. */
  private String leave(Posix posix, byte[] path, int fd, boolean device, boolean created) {
    String t = PathBytes.printable(path);
    if (device) {
      return "the device " + t + " holds a partial image (write the image again before using it)";
    }
    if (keepPartial) {
      return "the partial disk " + t + " is kept as asked; its content is not the image's";
    }
    try {
      if (created) {
        posix.unlink(path);
        return "the file " + t + " it created was removed";
      }
      posix.ftruncate(fd, 0);
      return "the file " + t + " is empty again, as it was given";
    } catch (PosixException e) {
      return "removing what it wrote failed (" + e.reason() + "): " + t + " holds a partial disk";
    }
  }

  private static void awaitQuietly(java.util.concurrent.ExecutorService pool) {
    try {
      pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
