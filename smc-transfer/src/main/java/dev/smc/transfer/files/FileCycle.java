package dev.smc.transfer.files;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.CycleWarning;
import dev.smc.IntegrityException;
import dev.smc.MigrationListener;
import dev.smc.TaskId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.ProgressMeter;
import dev.smc.transfer.internal.posix.PathBytes;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One cycle of a {@link FileMigration}: opens the parent image, walks the tree, waits for the
 * files being read, writes the tree and commits the image. Owns the cycle's reader and scan
 * threads, and stops them however the cycle ends. Runs on one thread; used once.
 */
final class FileCycle {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ImageStore store;
  private final ImageStore.ImageWriter writer;
  private final TreeWalk.Scope scope;
  private final TaskId task;
  private final int chunkSize;
  private final long maxInFlightBytes;
  private final ExecutorService pool;
  private final ThreadPoolExecutor scanPool;
  private final TreeFormat.Writer tree;
  private final FileWarnings warnings = new FileWarnings();
  private final FileCounts counts;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final long started = System.nanoTime();
  private ParentTree parent;
  private final Map<String, String> extraProperties;

  FileCycle(ImageStore store, ImageStore.ImageWriter writer, TreeWalk.Scope scope, TaskId task, int chunkSize,
      MigrationListener listener, int threads, long maxInFlightBytes, Map<String, String> extraProperties) {
    this.extraProperties = extraProperties;
    this.chunkSize = chunkSize;
    this.tree = new TreeFormat.Writer(chunkSize, writer::writeTree);
    this.store = store;
    this.writer = writer;
    this.scope = scope;
    this.task = task;
    this.maxInFlightBytes = maxInFlightBytes;
    this.counts = new FileCounts(listener, task, writer);
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "smc-read-" + task + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // folders are listed in walk order: the one the walk needs soonest first
    this.scanPool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new PriorityBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "smc-scan-" + task + "-" + THREADS.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  CycleReport run(CycleType type) throws IOException {
    try {
      Optional<ImageInfo> p = writer.parent();
      SizeEstimate.of(p, scope.root()).ifPresent(counts::estimate);
      if (p.isPresent()) {
        try {
          parent = ParentTree.open(store, p.get().ref(), chunkSize);
        } catch (IntegrityException e) {
          // nothing of the parent can be trusted to be there: every file is read, the image is whole
          warnings.add(new CycleWarning("/", "the parent image " + p.get().ref() + " is damaged, so every file was"
              + " read again from the source: " + e.getMessage()));
        }
      }
      EntryQueue queue = new EntryQueue(tree, maxInFlightBytes, failure, counts, warnings, task);
      SegmentReader reader = new SegmentReader(pool, writer, chunkSize, failure, counts, queue);
      TreeWalk walk = new TreeWalk(scope, scanPool, new EntryReader(parent, warnings), queue, reader, counts,
          warnings, writer, task);
      walk.walk();
      counts.walked();
      walk.noteWhenNothingKept();
      queue.waitAll();
      queue.flushTree();
      warnings.storeDamage(counts.filesRecovered, p, writer);
      Map<String, String> props = new java.util.TreeMap<>(Map.of(
          "files", Long.toString(counts.files),
          "bytes", Long.toString(counts.bytesScanned),
          "source", PathBytes.printable(scope.root()),
          "chunkSize", Integer.toString(chunkSize)));
      props.putAll(extraProperties);
      // the last packs leave during the commit: the progress goes on meanwhile
      ImageInfo info = ProgressMeter.ticking(pool, () -> counts.progress(false), () -> writer.commit(props));
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      counts.progress(true);
      return new CycleReport(info.ref(), type, counts.files, counts.bytesScanned, counts.bytesRead.get(),
          writer.bytesStored(), counts.chunksNew.get(), counts.chunksReused.get(), counts.filesReused, elapsed,
          warnings.list());
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
}
