package dev.smc.transfer.files;

import dev.smc.CycleWarning;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises a file-tree image into an empty folder exactly as it was: content (holes stay
 * holes), type, mode with setuid/setgid/sticky, owner, mtime in nanoseconds, symlinks, hard links,
 * FIFOs, device nodes, extended attributes and byte-exact names. Every chunk is verified against
 * its hash as it is read. Owners and {@code trusted.*}/{@code security.*} attributes need root;
 * without it they are reported as warnings.
 *
 * <p>A restore that fails (damaged data, a full disk) removes what it wrote: the folder it created,
 * or what it created inside the empty folder it was given; with {@link #keepPartial(boolean)} it
 * keeps the partial tree, but still removes every file it had not written to the end, so no file is
 * left under its name with content the image does not hold. Its error names the file and the image:
 * {@code restore of web-CYCLE_3 into /restore/web: writing /restore/web/var/db: no space left on
 * device (ENOSPC); what it wrote was removed}. Immutable and thread-safe.
 */
public final class FileRestore {
  private static final Logger LOG = LoggerFactory.getLogger(FileRestore.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private final int threads;
  private final dev.smc.MigrationListener listener;
  private final boolean keepPartial;
  /** Which entries are restored, and where. */
  private final RestoreScope scope;

  public FileRestore(int threads) {
    this(threads, dev.smc.MigrationListener.NONE);
  }

  /**
   * A restore on {@code threads} writer threads that reports {@link dev.smc.Progress} to
   * {@code listener} about four times a second (bytes scanned = bytes restored so far).
   */
  public FileRestore(int threads, dev.smc.MigrationListener listener) {
    this(threads, listener, false, RestoreScope.ALL);
  }

  private FileRestore(int threads, dev.smc.MigrationListener listener, boolean keepPartial, RestoreScope scope) {
    this.threads = dev.smc.transfer.internal.Cycles.checkThreads(threads);
    this.listener = listener;
    this.keepPartial = keepPartial;
    this.scope = scope;
  }

  /**
   * This restore, of one file system of a server image: the entries at or below {@code mountPoint}, written
   * relative to it (the mount point's folder becomes the target), leaving out what lies below
   * {@code innerMounts} (the file systems mounted inside it, whose mount point folders stay, empty).
   */
  public FileRestore fileSystem(String mountPoint, List<String> innerMounts) {
    return new FileRestore(threads, listener, keepPartial, scope.fileSystem(mountPoint, innerMounts));
  }

  /**
   * This restore, keeping (with {@code true}) the partial tree of a restore that fails instead of
   * removing it; files it had not finished are removed either way.
   */
  public FileRestore keepPartial(boolean keep) {
    return new FileRestore(threads, listener, keep, scope);
  }

  /**
   * This restore, of only the entries at or below {@code paths} (relative to the image's root, like
   * {@code etc/nginx} or {@code /var/lib/db/data.ibd}), with the folders above them; an empty list
   * restores everything. A hard link whose other names are left out is restored as the file. A path
   * the image does not hold fails the restore before anything is written ({@code NOT_FOUND}).
   */
  public FileRestore include(List<String> paths) {
    return new FileRestore(threads, listener, keepPartial, scope.include(paths));
  }

  public FileRestore() {
    this(Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * What a restore did.
   *
   * @param target where it wrote: the target with every symlink of its folder's path resolved
   */
  public record Report(ImageRef image, java.nio.file.Path target, long entries, long files, long bytes,
      Duration elapsed, List<CycleWarning> warnings) {}

  /**
   * Restores {@code ref} into {@code target}, which must be missing or an empty folder. The path of
   * its folder is resolved first ({@link RestoreTarget}) and the restore writes there; a target that
   * is itself a symlink is refused, and so is one in (or equal to) the store's own folder.
   *
   * @throws SmcException {@code INVALID_SPEC} when the target is not empty, is a symlink, lies in the
   *     repository, or the image is not a file tree; on a failure of the restore itself, the cause's
   *     code ({@code INTEGRITY} for damaged data, {@code QUOTA} for a full disk, ...)
   */
  public Report restore(ImageStore store, ImageRef ref, java.nio.file.Path target) throws IOException {
    java.nio.file.Path resolved = RestoreTarget.resolve(store, target);
    return restore(store, ref, PathBytes.of(resolved), resolved);
  }

  /**
   * As {@link #restore(ImageStore, ImageRef, java.nio.file.Path)}, the target given as bytes and
   * used as given: its path is not resolved nor checked against the store's folder.
   */
  public Report restore(ImageStore store, ImageRef ref, byte[] target) throws IOException {
    return restore(store, ref, target, java.nio.file.Path.of(PathBytes.printable(target)));
  }

  private Report restore(ImageStore store, ImageRef ref, byte[] target, java.nio.file.Path shown) throws IOException {
    Posix posix = Posix.get();
    long start = System.nanoTime();
    try (ImageStore.ImageReader reader = store.openImage(ref)) {
      if (reader.info().kind() != ImageKind.FILES) {
        throw new SmcException(ErrorCode.INVALID_SPEC, "image " + ref + " holds " + reader.info().kind()
            + ", not a file tree");
      }
      requireIncluded(reader, ref);
      boolean created = false;
      try {
        Stat st = posix.lstat(target);
        if (!st.isDirectory() || !posix.readDir(target).isEmpty()) {
          throw new SmcException(ErrorCode.INVALID_SPEC, "target " + PathBytes.printable(target)
              + " must be an empty folder or not exist");
        }
      } catch (PosixException e) {
        if (!e.isNotFound()) {
          throw e;
        }
        posix.mkdir(target, 0700);
        created = true;
      }
      Run run = new Run(posix, reader, target);
      try (TreeFormat.Reader tr = new TreeFormat.Reader(reader.tree())) {
        run.all(tr);
      } catch (IOException | RuntimeException e) {
        run.close(); // every writer has stopped before anything is removed
        String left = keepPartial ? PartialRestore.removeIncomplete(posix, run.incomplete.values())
            : PartialRestore.removeAll(posix, target, created);
        throw RestoreFailure.of("restore of " + ref + " into " + shown, e, left);
      } finally {
        run.close();
      }
      return new Report(ref, shown, run.entries, run.files, run.bytes.get(), Duration.ofNanos(System.nanoTime() - start),
          run.warnings);
    }
  }

  /** Fails, before anything is written, when an included path is not in the image. */
  private void requireIncluded(ImageStore.ImageReader reader, ImageRef ref) throws IOException {
    List<byte[]> include = scope.include();
    if (include.isEmpty()) {
      return;
    }
    boolean[] found = new boolean[include.size()];
    try (TreeFormat.Reader tr = new TreeFormat.Reader(reader.tree())) {
      for (Entry e = tr.next(); e != null; e = tr.next()) {
        for (int i = 0; i < found.length; i++) {
          found[i] |= Arrays.equals(e.path, include.get(i));
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < found.length; i++) {
      if (!found[i]) {
        missing.add(new String(include.get(i), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    if (!missing.isEmpty()) {
      throw new dev.smc.NotFoundException("image " + ref + " holds nothing at " + missing + " (see smc ls " + ref + ")");
    }
  }

  private final class Run implements AutoCloseable {
    private final Posix posix;
    private final ImageStore.ImageReader reader;
    private final byte[] target;
    private final ExecutorService pool;
    private final Semaphore slots = new Semaphore(64);
    private final List<CycleWarning> warnings = new ArrayList<>();
    private final List<Entry> dirs = new ArrayList<>();
    private final Map<Long, byte[]> linkTargets = new HashMap<>();
    /** Files with several names whose first name is left out by an include, by ordinal. */
    private final Map<Long, Entry> leftOutLinks = new HashMap<>();
    /** Hard links, made once every file is written: {first name, further name}. */
    private final List<byte[][]> links = new ArrayList<>();
    /** Files created and not yet written to the end (with their attributes), by ordinal. */
    final Map<Long, byte[]> incomplete = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong bytes = new AtomicLong();
    private boolean ownerWarned;
    private int chunkSize;
    private long entries;
    private long files;

    Run(Posix posix, ImageStore.ImageReader reader, byte[] target) {
      this.posix = posix;
      this.reader = reader;
      this.target = target;
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "smc-restore-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }

    void all(TreeFormat.Reader tr) throws IOException {
      chunkSize = tr.chunkSize();
      for (long ord = tr.ordinal(); ; ord = tr.ordinal()) {
        Entry e = tr.next();
        if (e == null) {
          break;
        }
        byte[] rel = scope.rebase(e.path);
        if (rel == null) {
          continue;
        }
        e.path = rel;
        if (!scope.selected(e.path)) {
          if (e.kind == Entry.REG && e.nlink > 1) {
            leftOutLinks.put(ord, e); // a further name of it may be included: it then becomes the file
          }
          if (e.kind != Entry.DIR || !scope.above(e.path)) {
            continue;
          }
        }
        entries++;
        progress(false);
        byte[] abs = e.path.length == 0 ? target : PathBytes.join(target, e.path);
        try {
          one(e, abs, ord);
        } catch (PosixException ex) {
          throw RestoreFailure.at("creating", PathBytes.printable(abs), ex);
        }
        checkFailure();
      }
      slots.acquireUninterruptibly(64);
      slots.release(64);
      checkFailure();
      progress(true);
      for (byte[][] l : links) {
        try {
          posix.link(l[0], l[1]);
        } catch (PosixException ex) {
          throw RestoreFailure.at("creating the hard link", PathBytes.printable(l[1]), ex);
        }
      }
      for (int i = dirs.size() - 1; i >= 0; i--) {
        Entry d = dirs.get(i);
        byte[] abs = d.path.length == 0 ? target : PathBytes.join(target, d.path);
        try {
          metadata(d, abs);
        } catch (PosixException ex) {
          throw RestoreFailure.at("setting the attributes of", PathBytes.printable(abs), ex);
        }
      }
    }

    private void one(Entry e, byte[] abs, long ord) throws IOException {
      switch (e.kind) {
        case Entry.DIR -> {
          if (e.path.length > 0) {
            posix.mkdir(abs, 0700);
          }
          dirs.add(e);
        }
        case Entry.REG -> {
          files++;
          int fd = posix.open(abs, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC,
              0600);
          incomplete.put(ord, abs);
          if (e.nlink > 1) {
            linkTargets.put(ord, abs);
          }
          slots.acquireUninterruptibly();
          pool.execute(() -> {
            try {
              if (failure.get() != null) {
                posix.close(fd); // the restore failed: this file stays incomplete and is removed
                return;
              }
              fill(fd, e, abs);
              try {
                metadata(e, abs);
              } catch (PosixException ex) {
                throw RestoreFailure.at("setting the attributes of", PathBytes.printable(abs), ex);
              }
              incomplete.remove(ord);
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              slots.release();
            }
          });
        }
        case Entry.HARDLINK -> {
          byte[] first = linkTargets.get(e.linkTo);
          Entry file = leftOutLinks.remove(e.linkTo);
          if (first == null && file != null) {
            // the file's first name is not restored: this name becomes the file, later names link to it
            Entry as = new Entry();
            as.kind = Entry.REG;
            as.path = e.path;
            as.mode = file.mode;
            as.uid = file.uid;
            as.gid = file.gid;
            as.mtimeNs = file.mtimeNs;
            as.nlink = file.nlink;
            as.size = file.size;
            as.xattrs = file.xattrs;
            as.chunks = file.chunks;
            one(as, abs, e.linkTo);
            return;
          }
          files++;
          if (first == null) {
            throw new SmcException(ErrorCode.INTEGRITY, "hard link " + PathBytes.printable(e.path)
                + " names entry " + e.linkTo + ", which is not a file with links");
          }
          links.add(new byte[][] {first, abs});
        }
        case Entry.LNK -> {
          posix.symlink(e.linkTarget, abs);
          metadata(e, abs);
        }
        default -> {
          try {
            posix.mknod(abs, e.mode, e.rdev);
          } catch (PosixException ex) {
            if ((e.kind == Entry.CHR || e.kind == Entry.BLK) && ex.isPermissionDenied()) {
              warn(e, "device node not restored (" + ex.getMessage() + "); device nodes need root");
              return;
            }
            throw ex;
          }
          metadata(e, abs);
        }
      }
    }

    private final ThreadLocal<ByteBuffer[]> directs = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    private final long started = System.nanoTime();
    private long lastProgress;

    private void progress(boolean last) {
      long now = System.nanoTime();
      if (!last && now - lastProgress < 250_000_000L) {
        return;
      }
      lastProgress = now;
      long done = bytes.get();
      long total = reader.info().longProperty("bytes");
      java.time.Duration elapsed = java.time.Duration.ofNanos(now - started);
      double rate = done / Math.max(1e-3, elapsed.toNanos() / 1e9);
      // what a restore reads from the repository is what it writes: the read rate is the restore's
      dev.smc.Progress p = new dev.smc.Progress(done, Math.max(total, done), false, done, 0, 0, files, rate, rate, 0,
          elapsed);
      try {
        listener.progress(new dev.smc.TaskId(reader.info().ref().toString()), p);
      } catch (RuntimeException ex) {
        LOG.warn("listener failed (ignored): {}", ex.toString());
      }
    }

    private void fill(int fd, Entry e, byte[] abs) throws IOException {
      try {
        ChunkId[] cs = e.chunks;
        ByteBuffer[] holder = directs.get();
        for (int i = 0; i < cs.length; i++) {
          if (cs[i] == null) {
            continue;
          }
          ByteBuffer data;
          try {
            data = reader.chunk(cs[i]);
          } catch (IOException | RuntimeException ex) {
            throw RestoreFailure.at("reading", PathBytes.printable(abs), ex);
          }
          ByteBuffer direct = holder[0];
          if (direct == null || direct.capacity() < data.remaining()) {
            direct = ByteBuffer.allocateDirect(Math.max(chunkSize, data.remaining()));
            holder[0] = direct;
          }
          direct.clear();
          direct.put(data).flip();
          bytes.addAndGet(direct.remaining());
          posix.pwrite(fd, direct, (long) i * chunkSize);
        }
        posix.ftruncate(fd, e.size);
      } catch (PosixException ex) {
        throw RestoreFailure.at("writing", PathBytes.printable(abs), ex);
      } finally {
        posix.close(fd);
      }
    }

    /** Owner, then mode (chown clears setuid), then attributes, then times. */
    private void metadata(Entry e, byte[] abs) throws PosixException {
      boolean link = e.kind == Entry.LNK;
      try {
        posix.lchown(abs, e.uid, e.gid);
      } catch (PosixException ex) {
        warnOwner(e, ex);
      }
      if (!link) {
        posix.chmod(abs, e.mode & 07777);
        for (byte[][] x : e.xattrs) {
          try {
            posix.setXattr(abs, x[0], x[1]);
          } catch (PosixException ex) {
            warn(e, "extended attribute " + PathBytes.printable(x[0]) + " not restored: " + ex.getMessage());
          }
        }
      }
      posix.setTimes(abs, e.mtimeNs, e.mtimeNs, true);
    }

    private void warnOwner(Entry e, PosixException ex) {
      synchronized (warnings) {
        if (ownerWarned) {
          return;
        }
        ownerWarned = true;
      }
      warn(e, "owner not restored (" + ex.getMessage() + "); owners need root");
    }

    private void warn(Entry e, String reason) {
      String p = e.path.length == 0 ? "/" : PathBytes.printable(e.path);
      LOG.warn("{}: {}", p, reason);
      synchronized (warnings) {
        warnings.add(new CycleWarning(p, reason));
      }
    }

    private void checkFailure() throws IOException {
      dev.smc.transfer.internal.Cycles.rethrow(failure.get());
    }

    @Override
    public void close() {
      pool.shutdown();
      try {
        pool.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
