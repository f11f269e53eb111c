package dev.smc.transfer.remote;

import com.sun.nio.file.ExtendedOpenOption;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.annotation.Nullable;

/**
 * An upload staged in a temporary file of its repository's folder: the body is written there
 * as it arrives, checked from there (mapped, and unmapped as soon as the check is done), and then
 * made the object by {@link LocalFolderBackend#putFile}, with the semantics and durability of a put.
 * The receiver's memory does not grow with the size or number of uploads: a body is never held
 * whole in memory, only the pages of one being checked are mapped while it is checked. {@link #close}
 * deletes what was not put. Used by one thread.
 */
final class StagedUpload implements Closeable {
  @Nullable
  private static final MethodHandle UNMAP = unmapper();

  private final LocalFolderBackend backend;
  private final Path file;
  private final long length;

  private StagedUpload(LocalFolderBackend backend, Path file, long length) {
    this.backend = backend;
    this.file = file;
    this.length = length;
  }

  /**
   * Streams the body of {@code ex} ({@code length} bytes) into a new temporary file of {@code backend},
   * a piece at a time through a direct buffer (from a Unix socket, the kernel copies straight into it).
   * With {@code direct}, whole blocks go to the disk past the page cache (O_DIRECT), as the backend's
   * own large puts do: for a pack whose check reads only its trailer, copying it into the cache only
   * for the fsync to force it out again was most of the receiver's CPU. Written normally where the
   * file system takes no direct writes.
   */
  static StagedUpload receive(LocalFolderBackend backend, Exchange ex, String name, long length, boolean direct)
      throws IOException {
    StagedUpload u = new StagedUpload(backend, backend.newTemporary(), length);
    ByteBuffer piece = takePiece();
    try (FileChannel ch = FileChannel.open(u.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel dio = direct && length >= PIECE ? openDirect(u.file) : null) {
      int block = dio == null ? Integer.MAX_VALUE : blockSize(u.file);
      for (long at = 0; at < length; ) {
        piece.clear().limit((int) Math.min(PIECE, length - at));
        while (piece.hasRemaining()) {
          if (ex.read(piece) < 0) {
            throw new EOFException("upload of " + name + " ended " + (length - at - piece.position())
                + " bytes short; nothing stored");
          }
        }
        int n = piece.flip().remaining();
        int whole = n / block * block;
        if (whole > 0) {
          writeFully(dio, piece.slice(0, whole), at);
        }
        if (whole < n) {
          writeFully(ch, piece.slice(whole, n - whole), at + whole);
        }
        at += n;
      }
    } catch (IOException | RuntimeException e) {
      u.close();
      throw e;
    } finally {
      givePiece(piece);
    }
    return u;
  }

  /** A piece of a body; its buffers are aligned to {@link #ALIGN}, enough for any direct write. */
  private static final int PIECE = 1 << 20;
  private static final int ALIGN = 64 * 1024;
  /** Pieces kept for the next uploads: a few, however many connections come and go. */
  private static final int KEPT = 8;
  private static final Deque<ByteBuffer> FREE = new ConcurrentLinkedDeque<>();

  private static ByteBuffer takePiece() {
    ByteBuffer b = FREE.pollFirst();
    return b != null ? b : ByteBuffer.allocateDirect(PIECE + ALIGN).alignedSlice(ALIGN).limit(PIECE).slice();
  }

  private static void givePiece(ByteBuffer b) {
    if (FREE.size() < KEPT) {
      FREE.addFirst(b);
    }
  }

  /** A file an agent of this user wrote in {@code backend}'s {@code tmp/} itself, staged as if received. */
  static StagedUpload adopt(LocalFolderBackend backend, Path file) throws IOException {
    return new StagedUpload(backend, file, Files.size(file));
  }

  /**
   * A second descriptor of {@code file} for direct writes; null where the file system refuses them
   * (tmpfs: EINVAL) or its block does not fit a piece's alignment.
   */
  @Nullable
  private static FileChannel openDirect(Path file) {
    try {
      int block = blockSize(file);
      return block > 0 && block <= ALIGN && ALIGN % block == 0
          ? FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT) : null;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** What direct writes must be whole multiples of, in offset and length (the JDK checks the same); by folder. */
  private static int blockSize(Path file) throws IOException {
    Integer known = BLOCKS.get(file.getParent());
    if (known == null) {
      known = (int) Math.min(Integer.MAX_VALUE, Files.getFileStore(file).getBlockSize());
      BLOCKS.put(file.getParent(), known);
    }
    return known;
  }

  private static final Map<Path, Integer> BLOCKS = new ConcurrentHashMap<>();

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    for (long pos = at; b.hasRemaining(); ) {
      pos += ch.write(b, pos);
    }
  }

  /**
   * {@link Repository#verifyNamedContent(String, ByteBuffer, boolean)} on the staged bytes; objects
   * it does not check are not read, nor a pack's chunks without {@code chunks}.
   */
  void verify(String name, boolean chunks) throws IOException {
    if (!Repository.checksContent(name)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (length == 0) {
        Repository.verifyNamedContent(name, ByteBuffer.allocate(0), chunks);
        return;
      }
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, length);
      try {
        Repository.verifyNamedContent(name, m, chunks);
      } finally {
        unmap(m);
      }
    }
  }

  /** Whether the staged bytes equal those of the object {@code name} (false when there is none). */
  boolean sameAsStored(String name) throws IOException {
    try {
      return Files.mismatch(file, backend.root().resolve(Backend.checkName(name))) == -1;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Makes the staged file the object {@code name}; see {@link LocalFolderBackend#putFile}. */
  void put(String name, Backend.PutMode mode) throws IOException {
    backend.putFile(name, file, mode);
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(file);
  }

  /**
   * Unmaps at once rather than when the collector finds the buffer: mapped pages count as the
   * process's memory while mapped. Nothing may touch {@code m} afterwards; the check above keeps
   * no view of it.
   */
  private static void unmap(MappedByteBuffer m) {
    if (UNMAP != null) {
      try {
        UNMAP.invokeExact(m);
      } catch (Throwable e) {
        Receiver.LOG.debug("unmapping a staged upload: {}", e.toString()); // the collector unmaps it later
      }
    }
  }

  @Nullable
  private static MethodHandle unmapper() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      MethodHandle h = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
          MethodType.methodType(void.class, ByteBuffer.class));
      return h.bindTo(f.get(null)).asType(MethodType.methodType(void.class, MappedByteBuffer.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // mappings are then unmapped by the collector
    }
  }
}
