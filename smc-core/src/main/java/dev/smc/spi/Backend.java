package dev.smc.spi;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Dumb object storage under a repository: a local folder, a receiver over HTTPS, an S3 bucket.
 * The smart part (dedup, packs, indexes, verification, resume) lives above it and is written once.
 *
 * <p>Object names are relative paths of segments {@code [A-Za-z0-9._-]+} joined by {@code /}
 * (for example {@code data/3f/3f9a...}); implementations reject any other name with
 * {@link IllegalArgumentException} before touching storage. Implementations must be thread-safe;
 * every method may block on I/O.
 */
public interface Backend extends Closeable {

  /** How {@link #put} treats an existing object. */
  enum PutMode {
    /** Replace an existing object atomically. */
    REPLACE,
    /** Fail with {@link java.nio.file.FileAlreadyExistsException} when the object exists. */
    CREATE_NEW
  }

  /**
   * Stores the whole object: when this returns it is visible to readers, who never see a partial
   * object; it is durable (survives a power loss) at the latest when the next {@link #barrier()}
   * returns. Reads {@code data} from its position to its limit, leaving the position unchanged.
   */
  void put(String name, ByteBuffer data, PutMode mode) throws IOException;

  /**
   * Paces bytes that leave the source: {@link #acquire} blocks until {@code bytes} more may be
   * sent. One pacer is shared by every stream of a task, so the task's bandwidth limit holds.
   */
  @FunctionalInterface
  interface Pacer {
    /** Sends at once. */
    Pacer NONE = bytes -> {};

    void acquire(long bytes);

    /**
     * {@link #acquire} of {@code bytes} in {@link Backend#PACE_STEP} steps, so that parallel streams
     * share the rate fairly: for an object stored whole rather than written to a wire piece by piece.
     */
    default void acquireInSteps(long bytes) {
      for (long left = bytes; left > 0; left -= PACE_STEP) {
        acquire(Math.min(left, PACE_STEP));
      }
    }
  }

  /**
   * As {@link #put(String, ByteBuffer, PutMode)}, with the object's bytes paced by {@code pacer}
   * as they leave. A backend that sends over a network paces each piece it writes to the wire;
   * this default, for storage on this machine, takes the whole size in 256 KiB steps (so parallel
   * streams share the rate fairly) and then stores the object.
   */
  default void put(String name, ByteBuffer data, PutMode mode, Pacer pacer) throws IOException {
    pacer.acquireInSteps(data.remaining());
    put(name, data, mode);
  }

  /** The piece of an object a {@link Pacer} is asked for at a time. */
  int PACE_STEP = 256 * 1024;

  /**
   * Returns once every object put before the call is durable. The repository calls it between
   * data, index and manifest, so a power loss never leaves a manifest whose data was lost. A
   * backend whose puts are durable when they return keeps this default.
   */
  default void barrier() throws IOException {}

  /**
   * The whole object; {@link java.nio.file.NoSuchFileException} when it does not exist. The
   * returned buffer belongs to the caller and may be read-only (a memory mapping of a large object).
   */
  ByteBuffer get(String name) throws IOException;

  /**
   * {@code length} bytes from {@code offset}; fails if the object is shorter. The returned buffer
   * belongs to the caller (a new buffer, never a view of the backend's own storage).
   */
  ByteBuffer get(String name, long offset, int length) throws IOException;

  /**
   * Reads {@code dst.remaining()} bytes from {@code offset} into {@code dst} (advancing its
   * position); fails if the object is shorter. For reading many ranges through one buffer.
   * Default: {@link #get(String, long, int)} and a copy.
   */
  default void read(String name, long offset, ByteBuffer dst) throws IOException {
    dst.put(get(name, offset, dst.remaining()));
  }

  /** The object's size, or empty when it does not exist. */
  Optional<Long> size(String name) throws IOException;

  /**
   * Every object whose name starts with {@code prefix} (for example {@code "index/"}), in no order,
   * each with its size and the backend's time of its last put.
   */
  List<ObjectInfo> list(String prefix) throws IOException;

  /**
   * Removes what interrupted puts of processes that are gone left behind (a local folder's partial
   * temporary files, an object store's unfinished multipart uploads); never an object, never what a
   * live put is writing. Writers and garbage collection call it. Default: nothing to remove.
   */
  default void removeLeftovers() throws IOException {}

  /** Removes the object; removing a missing object is not an error. */
  void delete(String name) throws IOException;

  /**
   * How many objects a writer should upload at once: more for a backend whose puts wait on a round
   * trip (a receiver, object storage), so the link stays busy while one put is being stored.
   */
  default int parallelUploads() {
    return 2;
  }

  /** Where this backend stores, for messages (never includes a secret). */
  String location();

  /**
   * A stored object's name, size in bytes, and when it was last put by the backend's own clock
   * (a file's mtime, an object store's Last-Modified): lock ages are judged by these times, never
   * by the clock of the host that wrote the lock.
   */
  record ObjectInfo(String name, long size, Instant modified) {
    public ObjectInfo {
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(modified, "modified");
    }
  }

  /** Validates an object name; returns it or throws {@link IllegalArgumentException} naming it. */
  static String checkName(String name) {
    if (name.isEmpty() || name.length() > 512) {
      throw new IllegalArgumentException("object name '" + name + "': 1-512 characters allowed");
    }
    for (String seg : name.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("object name '" + name + "': empty, '.' or '..' segment");
      }
      for (int i = 0; i < seg.length(); i++) {
        char c = seg.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == '-';
        if (!ok) {
          throw new IllegalArgumentException("object name '" + name + "': character '" + c
              + "' not allowed (A-Z a-z 0-9 . _ - and / between segments)");
        }
      }
    }
    return name;
  }
}
