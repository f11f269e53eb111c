package dev.smc.transfer.remote;

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

  /** Streams the body of {@code ex} ({@code length} bytes) into a new temporary file of {@code backend}. */
  static StagedUpload receive(LocalFolderBackend backend, Exchange ex, String name, long length, byte[] chunk)
      throws IOException {
    StagedUpload u = new StagedUpload(backend, backend.newTemporary(), length);
    try (FileChannel ch = FileChannel.open(u.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long left = length; left > 0; ) {
        int n = ex.read(chunk, 0, (int) Math.min(chunk.length, left));
        if (n < 0) {
          throw new EOFException("upload of " + name + " ended " + left + " bytes short; nothing stored");
        }
        for (ByteBuffer b = ByteBuffer.wrap(chunk, 0, n); b.hasRemaining(); ) {
          ch.write(b);
        }
        left -= n;
      }
    } catch (IOException | RuntimeException e) {
      u.close();
      throw e;
    }
    return u;
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
