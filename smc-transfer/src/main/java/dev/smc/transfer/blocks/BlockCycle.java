package dev.smc.transfer.blocks;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.CycleWarning;
import dev.smc.IntegrityException;
import dev.smc.MigrationListener;
import dev.smc.TaskId;
import dev.smc.spi.ChangeHints;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.blocks.Segments.Segment;
import dev.smc.transfer.internal.ProgressMeter;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;

/**
 * One cycle of a {@link BlockMigration}: opens the parent image, walks the disk segment by
 * segment (skipping what is free, left out, a hole, or unchanged by the hints), hands the rest to
 * the {@link SegmentHasher}, writes the tree and commits the image. Owns the cycle's hashing
 * threads and stops them however the cycle ends. Runs on one thread; used once.
 */
final class BlockCycle {
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** What a {@link BlockMigration} was configured with. */
  record Settings(MigrationListener listener, int threads, int blockSize, ChangeHints hints,
      @Nullable Set<Integer> partitions, boolean skipFreeSpace) {}

  private final Posix posix = Posix.get();
  private final ImageStore store;
  private final ImageStore.ImageWriter writer;
  private final byte[] path;
  private final long size;
  private final TaskId task;
  private final Settings settings;
  private final int blockSize;
  private final ExecutorService pool;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final BlockCounts counts;
  private final long started = System.nanoTime();

  BlockCycle(ImageStore store, ImageStore.ImageWriter writer, byte[] path, long size, TaskId task,
      Settings settings) {
    this.store = store;
    this.writer = writer;
    this.path = path;
    this.size = size;
    this.task = task;
    this.settings = settings;
    this.blockSize = settings.blockSize();
    this.counts = new BlockCounts(settings.listener(), task, writer, blockSize);
    this.pool = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "smc-block-" + task + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  CycleReport run(CycleType type, String source) throws IOException {
    BlockTree.Reader parent = null;
    int fd = -1;
    try {
      List<CycleWarning> damage = new ArrayList<>();
      if (writer.parent().isPresent()) {
        ImageStore.ImageReader r = store.openImage(writer.parent().get().ref());
        try {
          BlockTree.Reader pr = new BlockTree.Reader(r.tree());
          if (pr.blockSize() == blockSize && pr.diskSize() == size) {
            parent = pr;
          } else {
            pr.close(); // another geometry: blocks are still deduplicated against the repository
          }
        } catch (IntegrityException e) {
          damage.add(new CycleWarning("/", "the parent image " + writer.parent().get().ref() + " is damaged, so"
              + " every block was read again from the source: " + e.getMessage()));
        }
      }
      BlockTree.Writer tree = new BlockTree.Writer(writer::writeTree, blockSize, size);
      SegmentQueue queue = new SegmentQueue(tree, blockSize, failure, counts, task);
      SegmentHasher hasher = new SegmentHasher(writer, blockSize, size, failure, counts, queue);
      counts.skipped = SkippedBlocks.of(Path.of(source), blockSize, settings.partitions(), settings.skipFreeSpace());
      BlockRanges skip = counts.skipped.all();
      counts.exact(Math.max(0, size - skip.count() * blockSize));
      counts.progress(true); // the total is known before the first read
      BlockRanges changed = null;
      if (parent != null) {
        Optional<List<ChangeHints.Range>> hint = settings.hints().changedSince(writer.parent().get().ref());
        if (hint.isPresent()) {
          BlockRanges.Builder b = new BlockRanges.Builder();
          for (ChangeHints.Range r : hint.get()) {
            b.add(r.start() / blockSize, (r.end() + blockSize - 1) / blockSize);
          }
          changed = b.build();
        }
      }
      fd = posix.open(path, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
      posix.fadviseSequential(fd);
      long dataAt = 0;
      long holeAt = -1;
      for (long off = 0; off < size; off += BlockMigration.SEGMENT) {
        int len = (int) Math.min(BlockMigration.SEGMENT, size - off);
        int blocks = (len + blockSize - 1) / blockSize;
        Segment s = new Segment(off, len, blocks, queue.takeFrame().reset());
        byte[] prev = s.parent;
        if (parent != null) {
          parent.read(prev, 0, blocks);
        }
        long first = off / blockSize;
        if (skip.containsAll(first, first + blocks)) {
          counts.countSkipped(first, first + blocks); // free space or a partition left out: holes, not read
          s.done = true;
          queue.enqueue(s);
          continue;
        }
        if (changed != null && !changed.intersects(first, first + blocks)
            && hasher.allStored(prev, blocks, skip, first)) {
          // the source says nothing here changed since the parent: take the parent's blocks unread
          for (int i = 0; i < blocks; i++) {
            if (skip.contains(first + i)) {
              counts.countSkipped(first + i, first + i + 1);
            } else if (prev[i * BlockTree.SLOT] != BlockTree.HOLE) {
              System.arraycopy(prev, i * BlockTree.SLOT, s.records, i * BlockTree.SLOT, BlockTree.SLOT);
              counts.unchanged.incrementAndGet();
            }
          }
          s.done = true;
          queue.enqueue(s);
          continue;
        }
        s.skip = skip;
        s.changed = changed;
        // a sparse image file: skip what the file system says is a hole
        if (holeAt < off) {
          dataAt = seekData(fd, off);
          holeAt = dataAt == Long.MAX_VALUE ? Long.MAX_VALUE : seekHole(fd, dataAt);
        }
        if (dataAt >= off + len) {
          // a skipped block counts as skipped even where the image file has a hole
          counts.holes += blocks - counts.countSkipped(first, first + blocks);
          s.done = true;
          queue.enqueue(s);
          continue;
        }
        queue.enqueue(s);
        int fdr = fd;
        pool.execute(() -> hasher.readAndHash(s, fdr, source));
      }
      queue.waitAll();
      tree.finish();
      Map<String, String> props = new LinkedHashMap<>();
      props.put("bytes", Long.toString(size));
      props.put("blockSize", Integer.toString(blockSize));
      props.put("source", source);
      if (counts.recovered.get() > 0) {
        String of = writer.parent().map(i -> i.ref().toString()).orElse("the parent image");
        damage.add(new CycleWarning("/", "blocks were read and stored again where the chunks " + of
            + " names are no longer in the repository; this image is whole, but " + of
            + " and earlier images that share those chunks are damaged (smc check names them)"));
      }
      writer.storeDamage().forEach(d -> damage.add(new CycleWarning("repository", d)));
      // the last packs leave during the commit: the progress goes on meanwhile
      ImageInfo info = ProgressMeter.ticking(pool, () -> counts.progress(false), () -> writer.commit(props));
      counts.progress(true);
      Map<String, Long> details = new LinkedHashMap<>();
      long total = (size + blockSize - 1) / blockSize;
      details.put("blocksScanned", total);
      details.put("blocksFree", counts.free.get());
      details.put("blocksLeftOut", counts.leftOut.get());
      details.put("blocksHoles", counts.holes);
      details.put("blocksZero", counts.zero.get());
      details.put("blocksUnchanged", counts.unchanged.get());
      details.put("blocksStored", counts.stored.get());
      details.put("blocksDeduplicated", counts.reused.get());
      return new CycleReport(info.ref(), type, 0, size, counts.bytesRead.get(), writer.bytesStored(),
          counts.stored.get(), counts.unchanged.get() + counts.reused.get(), 0,
          Duration.ofNanos(System.nanoTime() - started), damage, details);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (fd >= 0) {
        posix.close(fd);
      }
      if (parent != null) {
        parent.close();
      }
    }
  }

  private long seekData(int fd, long off) {
    try {
      long d = posix.seekData(fd, off);
      return d < 0 ? Long.MAX_VALUE : d;
    } catch (PosixException e) {
      return off; // no SEEK_DATA here (a block device): everything is data
    }
  }

  private long seekHole(int fd, long off) {
    try {
      return posix.seekHole(fd, off);
    } catch (PosixException e) {
      return Long.MAX_VALUE;
    }
  }
}
