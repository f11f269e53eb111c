package dev.smc.transfer.files;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import javax.annotation.Nullable;

/**
 * One file cycle's walk of the tree, depth first in name-byte order (the tree's order): folders are
 * listed ahead of the walk on a scan pool, each entry goes to the {@link EntryQueue} in order, and
 * a file is reused from the parent image or handed to the {@link SegmentReader}. Runs on the
 * cycle's thread; not thread-safe.
 */
final class TreeWalk {
  /** What a walk covers: the root, what it leaves out, and whether it crosses into other file systems. */
  record Scope(byte[] root, Stat rootStat, Excludes excludes, LeftOut leftOut, boolean crossFileSystems) {}

  private final Posix posix = Posix.get();
  private final byte[] root;
  private final Stat rootStat;
  private final Excludes excludes;
  private final LeftOut leftOut;
  private final boolean crossFileSystems;
  private final ThreadPoolExecutor scanPool;
  private final Semaphore prefetchSlots = new Semaphore(512);
  private final EntryReader entries;
  private final EntryQueue queue;
  private final SegmentReader reader;
  private final FileCounts counts;
  private final FileWarnings warnings;
  private final ImageStore.ImageWriter writer;
  private final TaskId task;
  private final Map<Inode, QueuedEntry> hardLinks = new HashMap<>();
  /** Entries below the root that the walk kept, and that the excludes or {@link LeftOut} left out. */
  private long kept;
  private long excluded;
  private long leftOutFolders;

  TreeWalk(Scope scope, ThreadPoolExecutor scanPool, EntryReader entries, EntryQueue queue, SegmentReader reader,
      FileCounts counts, FileWarnings warnings, ImageStore.ImageWriter writer, TaskId task) {
    this.root = scope.root();
    this.rootStat = scope.rootStat();
    this.excludes = scope.excludes();
    this.leftOut = scope.leftOut();
    this.crossFileSystems = scope.crossFileSystems();
    this.scanPool = scanPool;
    this.entries = entries;
    this.queue = queue;
    this.reader = reader;
    this.counts = counts;
    this.warnings = warnings;
    this.writer = writer;
    this.task = task;
  }

  /** Walks the whole tree from its root. */
  void walk() throws IOException {
    walkDir(entries.describe(new byte[0], root, rootStat), root, rootStat, null);
  }

  /** Notes, once walked, when the excludes or smc's own folders left nothing but the root. */
  void noteWhenNothingKept() {
    if (kept == 0 && excluded > 0) {
      warnings.note(new byte[0], leftOutFolders == excluded
          ? "nothing of the source is left but its root folder once smc's own folders are left out: the image"
              + " holds an empty folder"
          : "the excludes left nothing of the source but its root folder: the image holds an empty folder"
              + " (excludes " + excludes + ")");
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
    queue.emit(new QueuedEntry(dir, abs, true));
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
      warnings.warn(rel, "folder cannot be listed: " + e.getMessage());
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
          warnings.warn(c.rel, "cannot be read: " + c.error.getMessage());
        }
        continue;
      }
      if (excludes.excludes(c.rel, c.stat.isDirectory())) {
        excluded++;
        continue;
      }
      Optional<String> smcFolder = leftOut.what(c.stat);
      if (smcFolder.isPresent()) {
        warnings.note(c.rel, "left out: " + smcFolder.get() + " (never copied into an image)");
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
        e = entries.describe(c.rel, c.abs, c.stat);
      } catch (PosixException ex) { // the entry, not the parent image, could not be read
        if (!ex.isNotFound()) {
          warnings.warn(c.rel, "cannot be read: " + ex.getMessage());
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
      queue.checkFailure();
    }
  }

  private List<Child> take(Future<List<Child>> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
    } catch (ExecutionException e) {
      Cycles.rethrow(e.getCause()); // a PosixException stays one: the caller reports the folder
      throw new IllegalStateException("no cause", e);
    } finally {
      prefetchSlots.release();
    }
  }

  private void visit(Entry e, byte[] abs, Stat st) throws IOException {
    if (e.kind != Entry.REG) {
      queue.emit(new QueuedEntry(e, abs, true));
      return;
    }
    counts.files++;
    counts.bytesScanned += e.size;
    if (e.nlink > 1) {
      Inode key = new Inode(st.dev(), st.ino());
      QueuedEntry first = hardLinks.get(key);
      if (first != null) {
        e.kind = Entry.HARDLINK;
        e.xattrs = List.of();
        QueuedEntry n = new QueuedEntry(e, abs, true);
        n.linkFirst = first;
        queue.emit(n);
        return;
      }
    }
    ChunkId[] reuse = e.chunks;
    if (reuse != null && !allStored(reuse)) {
      // the parent names chunks the store lost: read the file again, so this image is whole
      e.chunks = null;
      reuse = null;
      counts.filesRecovered++;
    }
    if (reuse != null) {
      counts.filesReused++;
      for (ChunkId c : reuse) {
        if (c != null) {
          counts.chunksReused.incrementAndGet();
        }
      }
      QueuedEntry n = new QueuedEntry(e, abs, true);
      rememberLink(n, st);
      queue.emit(n);
      return;
    }
    QueuedEntry n = new QueuedEntry(e, abs, false);
    rememberLink(n, st);
    queue.emit(n);
    queue.admit(n);
    reader.schedule(n);
  }

  private boolean allStored(ChunkId[] ids) throws IOException {
    for (ChunkId c : ids) {
      if (c != null && !writer.hasChunk(c)) {
        return false;
      }
    }
    return true;
  }

  private void rememberLink(QueuedEntry n, Stat st) {
    if (st.nlink() > 1) {
      hardLinks.put(new Inode(st.dev(), st.ino()), n);
    }
  }

  private record Inode(long dev, long ino) {}

  /** Listing a folder ahead of the walk; ordered by the folder's place in walk order. */
  private static final class ScanTask<T> extends FutureTask<T> implements Comparable<ScanTask<?>> {
    private final byte[] rel;

    ScanTask(byte[] rel, Callable<T> work) {
      super(work);
      this.rel = rel;
    }

    @Override
    public int compareTo(ScanTask<?> o) {
      return TreeFormat.compare(rel, o.rel);
    }
  }
}
