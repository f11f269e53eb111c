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
      long written = 0;
      long holes = 0;
      try (BlockTree.Reader tr = new BlockTree.Reader(reader.tree())) {
        int bs = tr.blockSize();
        long size = tr.diskSize();
        if (!device) {
          posix.ftruncate(fd, size);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bs);
        ByteBuffer zeros = ByteBuffer.allocateDirect(bs);
        for (long i = 0; i < tr.blocks(); i++) {
          ChunkId id = tr.next();
          long off = i * bs;
          int len = (int) Math.min(bs, size - off);
          if (id == null) {
            holes++;
            if (device) {
              posix.pwrite(fd, zeros.clear().limit(len), off);
            }
            continue;
          }
          ByteBuffer data = reader.chunk(id);
          if (data.remaining() != len) {
            throw new SmcException(ErrorCode.INTEGRITY, "image " + ref + ": block " + i + " holds "
                + data.remaining() + " bytes, expected " + len);
          }
          direct.clear();
          direct.put(data).flip();
          posix.pwrite(fd, direct, off);
          written++;
        }
        posix.fsync(fd);
        return new Report(ref, size, written, holes, Duration.ofNanos(System.nanoTime() - start));
      } finally {
        posix.close(fd);
      }
    }
  }
}
