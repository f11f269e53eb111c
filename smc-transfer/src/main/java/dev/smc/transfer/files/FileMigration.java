package dev.smc.transfer.files;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.CycleWarning;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.internal.ProgressMeter;
import dev.smc.transfer.repo.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-level migration: one cycle walks a mounted tree once and writes a complete image of it.
 * A regular file whose size, mtime, ctime and inode equal the parent image's entry is reused
 * without being opened; any other file is read in fixed, aligned chunks on a pool of threads, and
 * only chunks the store lacks are stored. Holes and all-zero chunks are never stored. At most a
 * bounded number of bytes are in flight, whatever the tree's size.
 *
 * <p>Keeps type, mode (with setuid/setgid/sticky), owner, mtime and ctime in nanoseconds, symlink
 * targets (dangling too), hard links, empty folders, FIFOs, device nodes, sockets, sparse holes,
 * extended attributes and names that are not valid UTF-8. Does not keep atime, and does not cross
 * into other file systems (mount points are kept as empty folders) unless asked to.
 *
 * <p>Instances are immutable and thread-safe; each {@link #run} is one cycle.
 */
public final class FileMigration {
  private static final Logger LOG = LoggerFactory.getLogger(FileMigration.class);
  /** Large files are read as segments of this many bytes, so both cores share one big file. */
  static final long SEGMENT = 16L << 20;
  private static final int MAX_ATTEMPTS = 3;
  /** Entries kept in memory while waiting to be written in order. */
  static final int MAX_QUEUED = 65_536;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final MigrationListener listener;
  private final int threads;
  private final long maxInFlightBytes;
  private final int chunkSize;
  private final boolean crossFileSystems;
  private final dev.smc.spi.SnapshotHooks hooks;
  private final Map<java.nio.file.Path, String> leaveOut;

  private FileMigration(Builder b) {
    this.hooks = b.hooks;
    this.leaveOut = Map.copyOf(b.leaveOut);
    this.listener = b.listener;
    this.threads = b.threads;
    this.maxInFlightBytes = b.maxInFlightBytes;
    this.chunkSize = b.chunkSize;
    this.crossFileSystems = b.crossFileSystems;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link FileMigration}. Not thread-safe. */
  public static final class Builder {
    private MigrationListener listener = MigrationListener.NONE;
    private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private long maxInFlightBytes = 256L << 20;
    private int chunkSize = 64 * 1024;
    private boolean crossFileSystems;
    private dev.smc.spi.SnapshotHooks hooks = dev.smc.spi.SnapshotHooks.NONE;
    private final Map<java.nio.file.Path, String> leaveOut = new java.util.LinkedHashMap<>();

    /**
     * A folder never copied, wherever it appears in the source (found by device and inode, so
     * neither a symlink nor a bind mount brings it in), such as a cache the store keeps. The folder
     * of the store itself, when it is a repository in a local folder, is always left out; each
     * folder left out is reported as a warning of the cycle.
     */
    public Builder leaveOut(java.nio.file.Path folder) {
      return leaveOut(folder, "smc's folder " + folder);
    }

    /** As {@link #leaveOut(java.nio.file.Path)}, saying in the warning what the folder is ({@code what}). */
    public Builder leaveOut(java.nio.file.Path folder, String what) {
      this.leaveOut.put(folder.toAbsolutePath(), what);
      return this;
    }

    /** Actions run before and after the read of each cycle (freeze, snapshot, stopping a service). */
    public Builder hooks(dev.smc.spi.SnapshotHooks hooks) {
      this.hooks = hooks;
      return this;
    }

    public Builder listener(MigrationListener listener) {
      this.listener = listener;
      return this;
    }

    /** Reader threads (default: the number of cores, at least 2). */
    public Builder threads(int threads) {
      this.threads = Cycles.checkThreads(threads);
      return this;
    }

    /** Bytes of file data queued for reading at once (default 256 MiB); bounds memory, not speed. */
    public Builder maxInFlightBytes(long bytes) {
      if (bytes < (1 << 20)) {
        throw new IllegalArgumentException("maxInFlightBytes " + bytes + ": at least 1 MiB");
      }
      this.maxInFlightBytes = bytes;
      return this;
    }

    /** Chunk size; must equal the repository's (see {@code Repository.chunkSize()}). */
    public Builder chunkSize(int bytes) {
      if (bytes < 4096 || Integer.bitCount(bytes) != 1 || bytes > (8 << 20)) {
        throw new IllegalArgumentException("chunkSize " + bytes + ": a power of two from 4 KiB to 8 MiB");
      }
      this.chunkSize = bytes;
      return this;
    }

    /** Whether to descend into folders of other file systems mounted below the root (default no). */
    public Builder crossFileSystems(boolean on) {
      this.crossFileSystems = on;
      return this;
    }

    public FileMigration build() {
      return new FileMigration(this);
    }
  }

  /**
   * Runs one cycle: copies the tree at {@code root} into the next image of {@code imageName}. The
   * store's own folder (a repository in a local folder inside the source) and the folders given to
   * {@link Builder#leaveOut} are left out, each with a warning; so is a warning when the excludes
   * leave nothing of the source but its root folder.
   *
   * @param root the tree's root folder, as file-name bytes
   * @throws SmcException with {@code SOURCE_IO} when the root cannot be read, {@code STORE_IO} when
   *     the store fails; the image is then not committed and a rerun reuses what was stored;
   *     {@code INVALID_SPEC} when the root is not a folder, is a kernel interface (procfs, sysfs),
   *     or is (or lies inside) the store's folder
   * @throws dev.smc.PostSnapshotException when the image was committed and the post-snapshot hook failed
   */
  public CycleReport run(ImageStore store, java.nio.file.Path root, String imageName, Excludes excludes,
      TransferOptions options) throws IOException {
    return run(store, new LocalTreeSource(root).open().root(), imageName, excludes, options);
  }

  /** As {@link #run(ImageStore, java.nio.file.Path, String, Excludes, TransferOptions)}, the root given as bytes. */
  public CycleReport run(ImageStore store, byte[] root, String imageName, Excludes excludes, TransferOptions options)
      throws IOException {
    int chunkSize = store instanceof dev.smc.transfer.repo.Repository r ? r.chunkSize() : this.chunkSize;
    Stat rootStat;
    try {
      rootStat = Posix.get().lstat(root);
    } catch (PosixException e) {
      throw new SmcException(ErrorCode.SOURCE_IO, "source " + PathBytes.printable(root) + ": " + e.getMessage(), e);
    }
    if (!rootStat.isDirectory()) {
      throw new SmcException(ErrorCode.INVALID_SPEC, "source " + PathBytes.printable(root) + " is not a folder");
    }
    java.util.Optional<String> unusable = dev.smc.transfer.paths.SourcePaths.problem(root);
    if (unusable.isPresent()) {
      throw new SmcException(ErrorCode.INVALID_SPEC, "source " + PathBytes.printable(root) + " " + unusable.get());
    }
    LeftOut leftOut = LeftOut.of(store, leaveOut, root, rootStat);
    try (ImageStore.ImageWriter writer = store.newImage(imageName, ImageKind.FILES, options)) {
      TaskId task = new TaskId(imageName);
      return Cycles.run(listener, writer, hooks,
          type -> new Cycle(store, writer, root, rootStat, excludes, leftOut, task, chunkSize).run(type));
    }
  }

  /** A file being read: its entry, and how many segments are still being read. */
  private static final class Node {
    final Entry entry;
    final byte[] abs;
    volatile boolean done;
    boolean changed;
    long treeOrdinal = -1;
    /** The bytes this file adds to the cycle's pending bytes while it is read. */
    long pending;
    @Nullable Node linkFirst;
    int attempts;
    final AtomicInteger remaining = new AtomicInteger();
    @Nullable String warning;

    Node(Entry entry, byte[] abs, boolean done) {
      this.entry = entry;
      this.abs = abs;
      this.done = done;
    }
  }

  /** The state of one cycle. */
  private final class Cycle {
    private final Posix posix = Posix.get();
    private final ImageStore store;
    private final ImageStore.ImageWriter writer;
    private final byte[] root;
    private final Stat rootStat;
    private final Excludes excludes;
    private final LeftOut leftOut;
    private final TaskId task;
    private final ExecutorService pool;
    private final java.util.concurrent.ThreadPoolExecutor scanPool;
    private final java.util.concurrent.Semaphore prefetchSlots = new java.util.concurrent.Semaphore(512);
    private final ArrayDeque<Node> queue = new ArrayDeque<>();
    private final int chunkSize;
    private final TreeFormat.Writer tree;
    private final List<CycleWarning> warnings = new ArrayList<>();
    private final Map<Inode, Node> hardLinks = new HashMap<>();
    private long treeCount;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong chunksNew = new AtomicLong();
    private final AtomicLong chunksReused = new AtomicLong();
    private final ThreadLocal<Buffers> buffers;
    private final long started = System.nanoTime();
    private long inFlightBytes;
    private long files;
    private long bytesScanned;
    private long filesReused;
    /** Unchanged files read again because the parent's chunks of them are no longer stored. */
    private long filesRecovered;
    private long lastProgress;
    private final ProgressMeter meter = new ProgressMeter(System::nanoTime);
    /** Bytes of files walked whose reading has not finished: walked, not yet done. */
    private final AtomicLong pendingBytes = new AtomicLong();
    private boolean walked;
    private ParentTree parent;
    /** Entries below the root that the walk kept, and that the excludes or {@link LeftOut} left out. */
    private long kept;
    private long excluded;
    private long leftOutFolders;

    Cycle(ImageStore store, ImageStore.ImageWriter writer, byte[] root, Stat rootStat,
        Excludes excludes, LeftOut leftOut, TaskId task, int chunkSize) {
      this.chunkSize = chunkSize;
      this.tree = new TreeFormat.Writer(chunkSize, writer::writeTree);
      this.buffers = ThreadLocal.withInitial(() -> new Buffers(chunkSize));
      this.store = store;
      this.writer = writer;
      this.root = root;
      this.rootStat = rootStat;
      this.excludes = excludes;
      this.leftOut = leftOut;
      this.task = task;
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "smc-read-" + task + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      // folders are listed in walk order: the one the walk needs soonest first
      this.scanPool = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
          new java.util.concurrent.PriorityBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "smc-scan-" + task + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
    }

    CycleReport run(CycleType type) throws IOException {
      try {
        Optional<ImageInfo> p = writer.parent();
        SizeEstimate.of(p, root).ifPresent(meter::estimate);
        if (p.isPresent()) {
          try {
            parent = ParentTree.open(store, p.get().ref(), chunkSize);
          } catch (dev.smc.IntegrityException e) {
            // nothing of the parent can be trusted to be there: every file is read, the image is whole
            warnings.add(new CycleWarning("/", "the parent image " + p.get().ref() + " is damaged, so every file was"
                + " read again from the source: " + e.getMessage()));
          }
        }
        walkDir(describe(new byte[0], root, rootStat), root, rootStat, null);
        walked = true;
        meter.exact(bytesScanned);
        if (kept == 0 && excluded > 0) {
          note(new byte[0], leftOutFolders == excluded
              ? "nothing of the source is left but its root folder once smc's own folders are left out: the image"
                  + " holds an empty folder"
              : "the excludes left nothing of the source but its root folder: the image holds an empty folder"
                  + " (excludes " + excludes + ")");
        }
        waitAll();
        flushTree();
        reportStoreDamage(p);
        Map<String, String> props = Map.of(
            "files", Long.toString(files),
            "bytes", Long.toString(bytesScanned),
            "source", PathBytes.printable(root),
            "chunkSize", Integer.toString(chunkSize));
        // the last packs leave during the commit: the progress goes on meanwhile
        ImageInfo info = ProgressMeter.ticking(pool, () -> progress(false), () -> writer.commit(props));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        progress(true);
        return new CycleReport(info.ref(), type, files, bytesScanned, bytesRead.get(), writer.bytesStored(),
            chunksNew.get(), chunksReused.get(), filesReused, elapsed, warnings);
      } finally {
        pool.shutdownNow();
        scanPool.shutdownNow();
        try {
          pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (parent != null) {
          parent.close();
        }
      }
    }

    /** One listed entry of a folder: its paths and stat, or why it cannot be read. */
    private record Child(byte[] rel, byte[] abs, @Nullable Stat stat, @Nullable PosixException error) {}

    /**
     * Lists a folder and stats every child, sorted by name bytes. Runs on the scan pool ahead of the
     * walk, or inline.
     */
    private List<Child> list(byte[] rel, byte[] abs) throws PosixException {
      List<DirEntry> names = posix.readDir(abs);
      names.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
      List<Child> out = new ArrayList<>(names.size());
      for (DirEntry d : names) {
        byte[] crel = rel.length == 0 ? d.name() : PathBytes.join(rel, d.name());
        byte[] cabs = PathBytes.join(abs, d.name());
        try {
          out.add(new Child(crel, cabs, posix.lstat(cabs), null));
        } catch (PosixException e) {
          out.add(new Child(crel, cabs, null, e));
        }
      }
      return out;
    }

    private void walkDir(Entry dir, byte[] abs, Stat st, @Nullable Future<List<Child>> prefetched)
        throws IOException {
      byte[] rel = dir.path;
      emit(new Node(dir, abs, true));
      if (!crossFileSystems && st.dev() != rootStat.dev()) {
        if (prefetched != null) {
          prefetched.cancel(false);
          prefetchSlots.release();
        }
        return;
      }
      List<Child> children;
      try {
        if (prefetched != null && !prefetched.isDone() && scanPool.getActiveCount() == scanPool.getMaximumPoolSize()
            && prefetched.cancel(false)) {
          prefetchSlots.release(); // still queued behind busy listers: faster to list it here
          prefetched = null;
        }
        children = prefetched != null ? take(prefetched) : list(rel, abs);
      } catch (PosixException e) {
        warn(rel, "folder cannot be listed: " + e.getMessage());
        return;
      }
      // read the metadata of sub-folders ahead of the walk, on the scan pool
      List<Future<List<Child>>> ahead = new ArrayList<>(children.size());
      for (Child c : children) {
        Future<List<Child>> f = null;
        if (c.stat != null && c.stat.isDirectory() && (crossFileSystems || c.stat.dev() == rootStat.dev())
            && !excludes.excludes(c.rel, true) && leftOut.what(c.stat).isEmpty() && prefetchSlots.tryAcquire()) {
          ScanTask<List<Child>> t = new ScanTask<>(c.rel, () -> list(c.rel, c.abs));
          scanPool.execute(t);
          f = t;
        }
        ahead.add(f);
      }
      for (int i = 0; i < children.size(); i++) {
        Child c = children.get(i);
        Future<List<Child>> f = ahead.get(i);
        if (c.error != null) {
          if (!c.error.isNotFound()) {
            warn(c.rel, "cannot be read: " + c.error.getMessage());
          }
          continue;
        }
        if (excludes.excludes(c.rel, c.stat.isDirectory())) {
          excluded++;
          continue;
        }
        java.util.Optional<String> smcFolder = leftOut.what(c.stat);
        if (smcFolder.isPresent()) {
          note(c.rel, "left out: " + smcFolder.get() + " (never copied into an image)");
          excluded++;
          leftOutFolders++;
          if (f != null && f.cancel(false)) {
            prefetchSlots.release();
          }
          continue;
        }
        kept++;
        Entry e;
        try {
          e = describe(c.rel, c.abs, c.stat);
        } catch (PosixException ex) { // the entry, not the parent image, could not be read
          if (!ex.isNotFound()) {
            warn(c.rel, "cannot be read: " + ex.getMessage());
          }
          if (f != null && f.cancel(false)) {
            prefetchSlots.release();
          }
          continue;
        }
        if (c.stat.isDirectory()) {
          walkDir(e, c.abs, c.stat, f);
        } else {
          visit(e, c.abs, c.stat);
        }
        checkFailure();
      }
    }

    private List<Child> take(Future<List<Child>> f) throws IOException {
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
      } catch (java.util.concurrent.ExecutionException e) {
        Cycles.rethrow(e.getCause()); // a PosixException stays one: the caller reports the folder
        throw new IllegalStateException("no cause", e);
      } finally {
        prefetchSlots.release();
      }
    }

    private void visit(Entry e, byte[] abs, Stat st) throws IOException {
      if (e.kind != Entry.REG) {
        emit(new Node(e, abs, true));
        return;
      }
      files++;
      bytesScanned += e.size;
      if (e.nlink > 1) {
        Inode key = new Inode(st.dev(), st.ino());
        Node first = hardLinks.get(key);
        if (first != null) {
          e.kind = Entry.HARDLINK;
          e.xattrs = List.of();
          Node n = new Node(e, abs, true);
          n.linkFirst = first;
          emit(n);
          return;
        }
      }
      ChunkId[] reuse = e.chunks;
      if (reuse != null && !allStored(reuse)) {
        // the parent names chunks the store lost: read the file again, so this image is whole
        e.chunks = null;
        reuse = null;
        filesRecovered++;
      }
      if (reuse != null) {
        filesReused++;
        for (ChunkId c : reuse) {
          if (c != null) {
            chunksReused.incrementAndGet();
          }
        }
        Node n = new Node(e, abs, true);
        rememberLink(n, st);
        emit(n);
        return;
      }
      Node n = new Node(e, abs, false);
      rememberLink(n, st);
      emit(n);
      submit(n);
    }

    private boolean allStored(ChunkId[] ids) throws IOException {
      for (ChunkId c : ids) {
        if (c != null && !writer.hasChunk(c)) {
          return false;
        }
      }
      return true;
    }

    private void rememberLink(Node n, Stat st) {
      if (st.nlink() > 1) {
        hardLinks.put(new Inode(st.dev(), st.ino()), n);
      }
    }

    /**
     * The entry of a path. An entry whose inode and ctime equal the parent image's takes its
     * attributes, link target and (for files) chunks from there: any change to them would have
     * changed the ctime. Otherwise they are read now.
     */
    private Entry describe(byte[] rel, byte[] abs, Stat st) throws IOException {
      Entry e = new Entry();
      e.path = rel;
      e.setStat(st);
      if (st.isRegular()) {
        e.kind = Entry.REG;
      } else if (st.isDirectory()) {
        e.kind = Entry.DIR;
      } else if (st.isSymlink()) {
        e.kind = Entry.LNK;
      } else if (st.isFifo()) {
        e.kind = Entry.FIFO;
      } else if (st.isCharDevice()) {
        e.kind = Entry.CHR;
        e.rdev = st.rdev();
      } else if (st.isBlockDevice()) {
        e.kind = Entry.BLK;
        e.rdev = st.rdev();
      } else {
        e.kind = Entry.SOCK;
      }
      Entry p = parent == null ? null : parent.find(rel);
      if (p != null && p.kind == e.kind && p.ino == e.ino && p.ctimeNs == e.ctimeNs && p.mode == e.mode
          && p.xattrs != null) {
        e.xattrs = p.xattrs;
        e.linkTarget = p.linkTarget;
        if (e.kind == Entry.REG && p.chunks != null && e.sameContentMetadata(p)) {
          e.chunks = p.chunks;
        }
        return e;
      }
      if (e.kind == Entry.LNK) {
        e.linkTarget = posix.readlink(abs);
      } else {
        List<byte[]> names = posix.listXattrs(abs);
        if (!names.isEmpty()) {
          names.sort(Arrays::compareUnsigned);
          e.xattrs = Entry.newXattrs();
          for (byte[] name : names) {
            try {
              e.xattrs.add(new byte[][] {name, posix.getXattr(abs, name)});
            } catch (PosixException x) {
              warn(rel, "extended attribute " + PathBytes.printable(name) + " cannot be read: " + x.getMessage());
            }
          }
        }
      }
      return e;
    }

    // ------------------------------------------------------------ ordering and back-pressure

    private void emit(Node n) throws IOException {
      synchronized (this) {
        // entries wait behind a file still being read; bound them too, not only the bytes to read
        while (queue.size() >= MAX_QUEUED && !queue.peek().done && failure.get() == null) {
          waitForWorkers();
        }
        queue.add(n);
      }
      drainDone();
      progress(false);
    }

    private void drainDone() throws IOException {
      while (true) {
        Node head;
        synchronized (this) {
          head = queue.peek();
          if (head == null || !head.done) {
            break;
          }
          queue.poll();
        }
        if (head.warning != null) {
          warn(head.entry.path, head.warning);
        }
        Entry e = head.entry;
        if (e.kind == Entry.HARDLINK) {
          if (head.linkFirst.treeOrdinal < 0) {
            warn(e.path, "hard link to a file that was left out; left out");
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

    private void flushTree() throws IOException {
      tree.finish();
    }

    private void submit(Node n) throws IOException {
      long cost = Math.max(n.entry.size, 4096);
      synchronized (this) {
        while (inFlightBytes > 0 && inFlightBytes + cost > maxInFlightBytes && failure.get() == null) {
          waitForWorkers();
        }
        inFlightBytes += cost;
        n.pending = n.entry.size;
        pendingBytes.addAndGet(n.pending);
      }
      checkFailure();
      schedule(n);
    }

    private void schedule(Node n) {
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

    private void waitForWorkers() {
      try {
        wait(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
      }
    }

    private void waitAll() throws IOException {
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
        progress(false);
      }
      checkFailure();
    }

    private void checkFailure() throws IOException {
      Cycles.rethrow(failure.get());
    }

    // ------------------------------------------------------------ reading (pool threads)

    private void readSegment(Node n, long from, long to) {
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

    private void readRange(Node n, long from, long to) throws IOException {
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
          bytesRead.addAndGet(got);
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
            chunksNew.incrementAndGet();
          } else {
            chunksReused.incrementAndGet();
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

    private void markChanged(Node n) {
      synchronized (n) {
        n.changed = true;
      }
    }

    private void finish(Node n) {
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
      synchronized (this) {
        inFlightBytes -= Math.max(n.entry.size, 4096);
        pendingBytes.addAndGet(-n.pending);
        n.done = true;
        notifyAll();
      }
    }

    // ------------------------------------------------------------ reporting

    private void reportStoreDamage(Optional<ImageInfo> parentImage) {
      if (filesRecovered > 0) {
        String of = parentImage.map(i -> i.ref().toString()).orElse("the parent image");
        warnings.add(new CycleWarning("/", filesRecovered + " unchanged file(s) were read again from the source:"
            + " chunks " + of + " names for them are no longer in the repository; this image is whole, but " + of
            + " and earlier images that share those chunks are damaged (smc check names them)"));
      }
      for (String d : writer.storeDamage()) {
        warnings.add(new CycleWarning("repository", d));
      }
    }

    /** A path the image holds other than the source had it (or leaves out for that reason). */
    private void warn(byte[] path, String reason) {
      warn(path, reason, true);
    }

    private void warn(byte[] path, String reason, boolean incomplete) {
      String p = path.length == 0 ? "/" : PathBytes.printable(path);
      LOG.warn("{}: {}", p, reason);
      synchronized (warnings) {
        warnings.add(new CycleWarning(p, reason, incomplete));
      }
    }

    /** Something to know that leaves the image whole (what smc leaves out by design). */
    private void note(byte[] path, String reason) {
      warn(path, reason, false);
    }

    private void progress(boolean last) {
      long now = System.nanoTime();
      if (!last && now - lastProgress < 250_000_000L) {
        return;
      }
      lastProgress = now;
      if (!walked) {
        meter.raiseEstimate(bytesScanned); // the walk has counted more than the estimate
      }
      // done: walked and read (or reused); a file walked but still being read is not done yet
      long done = last ? bytesScanned : Math.max(0, bytesScanned - pendingBytes.get());
      Progress p = meter.snapshot(done, bytesRead.get(), writer.bytesStored(), writer.bytesSent(), files);
      Cycles.safe(() -> listener.progress(task, p));
    }
  }

  private record Inode(long dev, long ino) {}

  /** Listing a folder ahead of the walk; ordered by the folder's place in walk order. */
  private static final class ScanTask<T> extends java.util.concurrent.FutureTask<T>
      implements Comparable<ScanTask<?>> {
    private final byte[] rel;

    ScanTask(byte[] rel, java.util.concurrent.Callable<T> work) {
      super(work);
      this.rel = rel;
    }

    @Override
    public int compareTo(ScanTask<?> o) {
      return TreeFormat.compare(rel, o.rel);
    }
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

  /** The parent image's entries, read in walk order alongside the walk (a merge join). */
  static final class ParentTree implements AutoCloseable {
    private final TreeFormat.Reader reader;
    private final Map<Long, ChunkId[]> linked = new HashMap<>();
    private Entry next;

    private ParentTree(TreeFormat.Reader reader) throws IOException {
      this.reader = reader;
      advance();
    }

    @Nullable
    static ParentTree open(ImageStore store, ImageRef ref, int chunkSize) throws IOException {
      ImageStore.ImageReader r = store.openImage(ref);
      InputStream in = r.tree();
      TreeFormat.Reader tr = new TreeFormat.Reader(in);
      if (tr.chunkSize() != chunkSize) {
        tr.close();
        return null; // chunk lists of another chunk size cannot be reused
      }
      return new ParentTree(tr);
    }

    private void advance() throws IOException {
      long ord = reader.ordinal();
      next = reader.next();
      if (next != null && next.kind == Entry.REG && next.nlink > 1) {
        linked.put(ord, next.chunks);
      }
    }

    /**
     * The parent's entry at {@code path}, or null. Paths must be asked in walk order; a further
     * name of a hard-linked file comes back as a regular file with the group's chunks.
     */
    @Nullable
    Entry find(byte[] path) throws IOException {
      while (next != null && TreeFormat.compare(next.path, path) < 0) {
        advance();
      }
      if (next == null || TreeFormat.compare(next.path, path) != 0) {
        return null;
      }
      Entry p = next;
      advance();
      if (p.kind == Entry.HARDLINK) {
        p.chunks = linked.get(p.linkTo);
        p.kind = Entry.REG;
        p.xattrs = null; // kept on the group's first name only: read them again
      }
      return p;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
