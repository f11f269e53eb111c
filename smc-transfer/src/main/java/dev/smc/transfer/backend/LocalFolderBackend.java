package dev.smc.transfer.backend;

import dev.smc.spi.Backend;
import dev.smc.transfer.internal.HostIdentity;
import dev.smc.transfer.internal.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Objects as files below a folder. A put writes a temporary file in {@code tmp/}, then renames
 * (or, for {@link PutMode#CREATE_NEW}, hard-links) it into place, so readers see whole objects
 * only and a crash leaves at most a stray temporary file. A background thread forces each new file
 * and its folder to disk right after the put, overlapping the disk's work with the caller's;
 * {@link #barrier()} waits for it. Thread-safe.
 */
public final class LocalFolderBackend implements Backend {
  private static final int OPEN_FILES = 64;
  /** Objects from this size on are read as a memory mapping and, when forced to disk, written past the page cache. */
  private static final long LARGE = 1 << 20;
  private final Path root;
  private final Path tmp;
  private final boolean fsync;
  private final Map<String, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
  private final Object syncLock = new Object();
  private final java.util.ArrayDeque<Path> toSync = new java.util.ArrayDeque<>();
  private final java.util.Set<Path> dirsToSync = new java.util.HashSet<>();
  private Thread syncer;
  private int syncing;
  private IOException syncFailure;

  private LocalFolderBackend(Path root, boolean fsync) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve("tmp");
    this.fsync = fsync;
    Files.createDirectories(tmp);
  }

  /**
   * Temporary files are named by their writer (pid space, pid, start time), so a file of a process
   * that died on this host is known for what it is at once.
   */
  private static final String TEMP_PREFIX = tempPrefix();
  /** A temporary file no live writer of this host owns and untouched this long is left by a dead writer elsewhere. */
  private static final java.time.Duration TEMP_ABANDONED = java.time.Duration.ofHours(24);

  private static String tempPrefix() {
    HostIdentity me = HostIdentity.self();
    String space = me.pidSpace == null ? "0" : Integer.toHexString(me.pidSpace.hashCode());
    return space + "-" + me.pid + "-" + Long.toHexString(Math.max(0, me.startedMs)) + "-";
  }

  /**
   * Removes temporary files of puts that will never finish: those of processes dead on this host at
   * once, any other one untouched for a day (a put rewrites its file within seconds; a writer on
   * another host sharing this folder is judged by that age alone).
   */
  @Override
  public void removeLeftovers() throws IOException {
    removeTemporaries(java.time.Instant.now());
  }

  /** As {@link #removeLeftovers()} at time {@code now}; returns how many files were removed. */
  int removeTemporaries(java.time.Instant now) throws IOException {
    int n = 0;
    HostIdentity me = HostIdentity.self();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(TEMP_PREFIX)) {
          continue; // this process's own: maybe being written
        }
        boolean gone;
        String[] f = name.split("-", 4);
        try {
          gone = f.length == 4 && me.pidSpace != null && f[0].equals(Integer.toHexString(me.pidSpace.hashCode()))
              && me.isDead(me.pidSpace, Long.parseLong(f[1]), Long.parseLong(f[2], 16));
        } catch (NumberFormatException e) {
          gone = false;
        }
        try {
          if (gone || Files.getLastModifiedTime(p).toInstant().plus(TEMP_ABANDONED).isBefore(now)) {
            Files.deleteIfExists(p);
            n++;
          }
        } catch (NoSuchFileException e) {
          // finished meanwhile
        }
      }
    } catch (NoSuchFileException e) {
      return n; // the folder was removed
    }
    return n;
  }

  /** A backend in {@code folder}, created if missing; every put is durable before it returns. */
  public static LocalFolderBackend open(Path folder) throws IOException {
    return new LocalFolderBackend(folder, true);
  }

  /** As {@link #open} but without forcing files to disk: for tests and scratch repositories only. */
  public static LocalFolderBackend openWithoutSync(Path folder) throws IOException {
    return new LocalFolderBackend(folder, false);
  }

  public Path root() {
    return root;
  }

  private Path path(String name) {
    return root.resolve(Backend.checkName(name));
  }

  @Override
  public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
    Path target = path(name);
    Path t = newTemporary();
    try {
      write(t, data, fsync);
      place(name, target, t, mode);
    } finally {
      Files.deleteIfExists(t);
    }
  }

  /**
   * Writes {@code data}'s remaining bytes as a new temporary file in {@code tmpFolder}, the
   * {@code tmp/} of a repository folder that another process of this user serves (a receiver on
   * this machine), named by this writer as {@link #newTemporary} names them, and returns it; large
   * data past the page cache. The serving process checks it and makes it an object ({@link #putFile});
   * the caller deletes it when done, whether or not it was.
   */
  public static Path writeTemporary(Path tmpFolder, ByteBuffer data) throws IOException {
    Path t = temporaryIn(tmpFolder);
    try {
      write(t, data, true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(t);
      throw e;
    }
    return t;
  }

  /** Whether {@code fileName} is one {@link #newTemporary} or {@link #writeTemporary} would give. */
  public static boolean isTemporaryName(String fileName) {
    return fileName.matches("[0-9a-f]+-[0-9]+-[0-9a-f]+-[0-9a-f]+\\.tmp");
  }

  /** Creates {@code t} holding {@code data}; what will be forced to disk anyway, from 1 MiB on, past the cache. */
  private static void write(Path t, ByteBuffer data, boolean durable) throws IOException {
    if (durable && data.remaining() >= LARGE && createDirect(t, data)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = data.duplicate();
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  /**
   * A name for a new temporary file in this backend's {@code tmp/} folder (not created), for a
   * caller that writes an object itself and then hands it to {@link #putFile}. The caller deletes
   * it ({@code Files.deleteIfExists}) when done, whether or not it was put.
   */
  public Path newTemporary() {
    // named by its writer, so what a writer that died leaves is removed at once (removeLeftovers)
    return temporaryIn(tmp);
  }

  private static Path temporaryIn(Path folder) {
    return folder.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
  }

  /**
   * Makes {@code written}, a file the caller wrote in {@code tmp/} (named by {@link #newTemporary}),
   * the object {@code name}, exactly as {@link #put} does with its own temporary file: hard-linked
   * for {@link PutMode#CREATE_NEW} (a {@link FileAlreadyExistsException} naming the object if it
   * exists), renamed over for {@link PutMode#REPLACE}; forced to disk in the background, which
   * {@link #barrier()} waits for. The file's content is not read: the caller has checked it.
   */
  public void putFile(String name, Path written, PutMode mode) throws IOException {
    Path target = path(name);
    if (!tmp.equals(written.toAbsolutePath().normalize().getParent())) {
      throw new IllegalArgumentException("putFile: " + written + " is not in " + tmp);
    }
    place(name, target, written, mode);
  }

  private void place(String name, Path target, Path t, PutMode mode) throws IOException {
    Path dir = target.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    if (mode == PutMode.CREATE_NEW) {
      try {
        Files.createLink(target, t);
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(name);
      }
    } else {
      Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      // a cached channel still reads the replaced file
      forget(name);
    }
    if (fsync) {
      enqueueSync(target);
    }
  }

  /**
   * Writes a large object that will be fsynced anyway past the page cache (O_DIRECT): copying 16 MiB
   * packs into the cache only to force them out again cost more CPU than hashing them.
   */
  private static boolean createDirect(Path t, ByteBuffer data) throws IOException {
    try {
      // false for a buffer that is not aligned, or a file system without O_DIRECT (tmpfs): written normally
      return Posix.get().createDirect(t.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), data);
    } catch (dev.smc.transfer.internal.posix.PosixException e) {
      throw new IOException(t + ": " + e.getMessage(), e);
    }
  }

  private void enqueueSync(Path file) {
    synchronized (syncLock) {
      toSync.add(file);
      syncing++;
      if (syncer == null) {
        syncer = new Thread(this::syncLoop, "smc-fsync-" + root.getFileName());
        syncer.setDaemon(true);
        syncer.start();
      }
      syncLock.notifyAll();
    }
  }

  private void syncLoop() {
    while (true) {
      Path next;
      synchronized (syncLock) {
        while (toSync.isEmpty()) {
          if (syncer != Thread.currentThread()) {
            return;
          }
          try {
            syncLock.wait(1000);
          } catch (InterruptedException e) {
            return;
          }
          if (toSync.isEmpty()) {
            syncer = null; // idle: let the thread end; the next put starts another
            return;
          }
        }
        next = toSync.poll();
      }
      IOException failed = null;
      try (FileChannel ch = FileChannel.open(next, StandardOpenOption.READ)) {
        ch.force(true);
      } catch (NoSuchFileException e) {
        // deleted meanwhile: nothing to make durable
      } catch (IOException e) {
        failed = e;
      }
      synchronized (syncLock) {
        dirsToSync.add(next.getParent());
        if (failed != null && syncFailure == null) {
          syncFailure = failed;
        }
        syncing--;
        syncLock.notifyAll();
      }
    }
  }

  @Override
  public void barrier() throws IOException {
    if (!fsync) {
      return;
    }
    java.util.List<Path> dirs;
    synchronized (syncLock) {
      while (syncing > 0) {
        try {
          syncLock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while forcing files to disk in " + root);
        }
      }
      dirs = new ArrayList<>(dirsToSync);
      dirsToSync.clear();
      if (syncFailure != null) {
        IOException f = syncFailure;
        syncFailure = null;
        throw new IOException("forcing files to disk in " + root + " failed: " + f.getMessage(), f);
      }
    }
    for (Path d : dirs) {
      syncDir(d);
    }
  }

  private static void syncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems refuse to sync a directory; the rename is still atomic
    }
  }

  @Override
  public ByteBuffer get(String name) throws IOException {
    Path p = path(name);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size >= LARGE) {
        // objects are never changed in place, so a mapping stays valid; it saves a copy and fresh heap
        return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      }
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
      while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
        // read on
      }
      return buf.flip();
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(name);
    }
  }

  @Override
  public ByteBuffer get(String name, long offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    read(name, offset, buf);
    return buf.flip();
  }

  @Override
  public void read(String name, long offset, ByteBuffer dst) throws IOException {
    int start = dst.position();
    for (int attempt = 1; ; attempt++) {
      FileChannel ch = channel(name);
      dst.position(start);
      long pos = offset;
      try {
        while (dst.hasRemaining()) {
          int n = ch.read(dst, pos);
          if (n < 0) {
            throw new IOException(name + ": " + (dst.limit() - start) + " bytes at " + offset + " asked, object ends at "
                + pos);
          }
          pos += n;
        }
        return;
      } catch (ClosedChannelException e) {
        // another thread evicted, replaced or deleted the cached channel while this one read: open it again
        if (e instanceof ClosedByInterruptException || attempt >= 5) {
          throw e;
        }
      }
    }
  }

  /** The cached read channel of {@code name}; opened under the lock so a REPLACE cannot leave a stale one cached. */
  private FileChannel channel(String name) throws IOException {
    Path p = path(name);
    synchronized (open) {
      FileChannel ch = open.get(name);
      if (ch != null && ch.isOpen()) {
        return ch;
      }
      try {
        ch = FileChannel.open(p, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(name);
      }
      open.put(name, ch);
      if (open.size() > OPEN_FILES) {
        var it = open.entrySet().iterator();
        it.next().getValue().close();
        it.remove();
      }
      return ch;
    }
  }

  private void forget(String name) throws IOException {
    synchronized (open) {
      FileChannel ch = open.remove(name);
      if (ch != null) {
        ch.close();
      }
    }
  }

  @Override
  public Optional<Long> size(String name) throws IOException {
    Path p = path(name);
    try {
      return Optional.of(Files.size(p));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    List<ObjectInfo> out = new ArrayList<>();
    int slash = prefix.lastIndexOf('/');
    Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (Files.isDirectory(dir)) {
      walk(dir, prefix, out);
    }
    return out;
  }

  private void walk(Path dir, String prefix, List<ObjectInfo> out) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String rel = root.relativize(p).toString();
        if (rel.equals("tmp")) {
          continue;
        }
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // deleted while listing
        }
        if (a.isDirectory()) {
          if ((rel + "/").startsWith(prefix) || prefix.startsWith(rel + "/")) {
            walk(p, prefix, out);
          }
        } else if (rel.startsWith(prefix)) {
          out.add(new ObjectInfo(rel, a.size(), a.lastModifiedTime().toInstant()));
        }
      }
    } catch (NoSuchFileException e) {
      // folder removed while listing
    }
  }

  @Override
  public void delete(String name) throws IOException {
    Path p = path(name);
    forget(name);
    Files.deleteIfExists(p);
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public void close() throws IOException {
    barrier();
    synchronized (syncLock) {
      syncer = null;
      syncLock.notifyAll();
    }
    synchronized (open) {
      for (FileChannel ch : open.values()) {
        ch.close();
      }
      open.clear();
    }
  }

  @Override
  public String toString() {
    return "LocalFolderBackend[" + root + "]";
  }
}
