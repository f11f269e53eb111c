package dev.smc.transfer.blocks;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.CycleWarning;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.spi.ChangeHints;
import dev.smc.spi.SnapshotHooks;
import dev.smc.transfer.blocks.Segments.Frame;
import dev.smc.transfer.blocks.Segments.Segment;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.internal.ProgressMeter;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.paths.SourcePaths;
import dev.smc.transfer.repo.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;

/**
 * Block-level migration: one cycle reads a raw disk (an image file or a block device) in large
 * sequential reads and writes a complete image of it in fixed, aligned blocks. All-zero blocks
 * and the holes of a sparse image file are holes in the image, never data; every other block is
 * hashed and compared with the parent image's block at the same offset, and only blocks the
 * repository lacks are stored. Reads go ahead of the hashing threads through a bounded pool of
 * buffers, so memory stays fixed whatever the disk's size. The partition tables and the gaps
 * between partitions are copied like any other block, so a restored disk boots like the source.
 *
 * <p>Instances are immutable and thread-safe; each {@link #run} is one cycle.
 */
public final class BlockMigration {
  /** Bytes one task covers: read sequentially, in windows. */
  static final int SEGMENT = 4 << 20;
  /**
   * Bytes one read covers: small enough that the copy out of the page cache is still in the CPU's
   * cache when the block is fingerprinted (4 MiB reads cost a third more), large enough to be a
   * long sequential read.
   */
  static final int WINDOW = 256 << 10;
  private static final int BUFFERS = 8;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final MigrationListener listener;
  private final int threads;
  private final int blockSize;
  private final ChangeHints hints;
  private final SnapshotHooks hooks;
  @Nullable private final java.util.Set<Integer> partitions;
  private final boolean skipFreeSpace;

  private BlockMigration(Builder b) {
    this.listener = b.listener;
    this.threads = b.threads;
    this.blockSize = b.blockSize;
    this.hints = b.hints;
    this.hooks = b.hooks;
    this.partitions = b.partitions == null ? null : java.util.Set.copyOf(b.partitions);
    this.skipFreeSpace = b.skipFreeSpace;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link BlockMigration}. Not thread-safe. */
  public static final class Builder {
    private MigrationListener listener = MigrationListener.NONE;
    private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int blockSize = 4096;
    private ChangeHints hints = ChangeHints.NONE;
    private SnapshotHooks hooks = SnapshotHooks.NONE;
    private java.util.Set<Integer> partitions;
    private boolean skipFreeSpace = true;

    /** Where the source knows which ranges changed since the parent cycle (default: none; read all). */
    public Builder hints(ChangeHints hints) {
      this.hints = hints;
      return this;
    }

    /** Actions run before and after the read of each cycle (freeze, snapshot). */
    public Builder hooks(SnapshotHooks hooks) {
      this.hooks = hooks;
      return this;
    }

    /**
     * Copies only these partitions (numbers as {@code smc describe} shows them) block by block,
     * plus the partition tables and the gaps between partitions; the others become holes.
     * Default: every partition.
     */
    public Builder partitions(java.util.Set<Integer> numbers) {
      this.partitions = java.util.Set.copyOf(numbers);
      return this;
    }

    /**
     * Whether blocks that an ext2/3/4 file system marks free are neither read nor stored (default
     * yes); they restore as zeros. Other file systems are read whole.
     */
    public Builder skipFreeSpace(boolean on) {
      this.skipFreeSpace = on;
      return this;
    }

    public Builder listener(MigrationListener listener) {
      this.listener = listener;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = Cycles.checkThreads(threads);
      return this;
    }

    /**
     * Block size (default 4 KiB, the block of ext4, xfs and most file systems: a changed file
     * system block costs one block in the image; see docs/architecture.md).
     */
    public Builder blockSize(int bytes) {
      if (bytes < 512 || bytes > SEGMENT || Integer.bitCount(bytes) != 1) {
        throw new IllegalArgumentException("blockSize " + bytes + ": a power of two from 512 B to 4 MiB");
      }
      this.blockSize = bytes;
      return this;
    }

    public BlockMigration build() {
      return new BlockMigration(this);
    }
  }

  /**
   * Copies the disk at {@code disk} into the next image of {@code imageName}.
   *
   * @throws dev.smc.InvalidSpecException naming {@code source} when {@code disk} is neither a disk
   *     image file (regular, not empty, not of a kernel interface like procfs) nor a block device;
   *     it is examined without being opened, so a FIFO cannot hang the cycle
   * @throws dev.smc.PostSnapshotException when the image was committed and the post-snapshot hook failed
   */
  public CycleReport run(ImageStore store, Path disk, String imageName, TransferOptions options) throws IOException {
    if (SourcePaths.check("source", disk) == SourcePaths.Kind.FOLDER) {
      throw dev.smc.InvalidSpecException.of("source", disk, "a disk image file or a block device; a folder is"
          + " copied file by file (FileMigration)");
    }
    long size;
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
      size = ch.size();
    } catch (IOException e) {
      throw new SmcException(ErrorCode.SOURCE_IO, "source " + disk + ": " + e.getMessage(), e);
    }
    byte[] path = disk.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    try (ImageStore.ImageWriter writer = store.newImage(imageName, ImageKind.BLOCKS, options)) {
      TaskId task = new TaskId(imageName);
      return Cycles.run(listener, writer, hooks,
          type -> new Cycle(store, writer, path, size, task).run(type, disk.toString()));
    }
  }

  private final class Cycle {
    private final Posix posix = Posix.get();
    private final ImageStore store;
    private final ImageStore.ImageWriter writer;
    private final byte[] path;
    private final long size;
    private final TaskId task;
    private final ExecutorService pool;
    /** A window holds whole blocks. */
    private final int windowSize = Math.max(WINDOW, blockSize);
    private final ThreadLocal<ByteBuffer> window = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(windowSize));
    private final BlockingQueue<Frame> frames = new ArrayBlockingQueue<>(BUFFERS);
    private final ArrayDeque<Segment> queue = new ArrayDeque<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong zero = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    /** Blocks whose parent chunk the store lost, so they were stored again. */
    private final AtomicLong recovered = new AtomicLong();
    private final long started = System.nanoTime();
    private long holes;
    /** Skipped blocks that a file system marks free, and those of partitions left out: neither read nor stored. */
    private final AtomicLong free = new AtomicLong();
    private final AtomicLong leftOut = new AtomicLong();
    private SkippedBlocks skipped = SkippedBlocks.NONE;
    /** Bytes done, of those to read: the disk without the blocks skipped. */
    private long scanned;
    private long lastProgress;
    private final ProgressMeter meter = new ProgressMeter(System::nanoTime);
    private BlockTree.Writer tree;
    /** A block of zeros, and its fingerprint. */
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(blockSize);
    private final byte[] zeroPrint = new byte[Fingerprint.LENGTH];

    Cycle(ImageStore store, ImageStore.ImageWriter writer, byte[] path, long size, TaskId task) {
      this.store = store;
      this.writer = writer;
      this.path = path;
      this.size = size;
      this.task = task;
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "smc-block-" + task + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      for (int i = 0; i < BUFFERS; i++) {
        frames.add(new Frame(blockSize));
      }
      Fingerprint.of(zeros, 0, blockSize, zeroPrint, 0);
    }

    CycleReport run(CycleType type, String source) throws IOException {
      BlockTree.Reader parent = null;
      int fd = -1;
      try {
        List<CycleWarning> damage = new java.util.ArrayList<>();
        if (writer.parent().isPresent()) {
          ImageStore.ImageReader r = store.openImage(writer.parent().get().ref());
          try {
            BlockTree.Reader pr = new BlockTree.Reader(r.tree());
            if (pr.blockSize() == blockSize && pr.diskSize() == size) {
              parent = pr;
            } else {
              pr.close(); // another geometry: blocks are still deduplicated against the repository
            }
          } catch (dev.smc.IntegrityException e) {
            damage.add(new CycleWarning("/", "the parent image " + writer.parent().get().ref() + " is damaged, so"
                + " every block was read again from the source: " + e.getMessage()));
          }
        }
        tree = new BlockTree.Writer(writer::writeTree, blockSize, size);
        skipped = SkippedBlocks.of(java.nio.file.Path.of(source), blockSize, partitions, skipFreeSpace);
        BlockRanges skip = skipped.all();
        meter.exact(Math.max(0, size - skip.count() * blockSize));
        progress(true); // the total is known before the first read
        BlockRanges changed = null;
        if (parent != null) {
          java.util.Optional<List<ChangeHints.Range>> hint = hints.changedSince(writer.parent().get().ref());
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
        for (long off = 0; off < size; off += SEGMENT) {
          int len = (int) Math.min(SEGMENT, size - off);
          int blocks = (len + blockSize - 1) / blockSize;
          Segment s = new Segment(off, len, blocks, takeFrame().reset());
          byte[] prev = s.parent;
          if (parent != null) {
            parent.read(prev, 0, blocks);
          }
          long first = off / blockSize;
          if (skip.containsAll(first, first + blocks)) {
            countSkipped(first, first + blocks); // free space or a partition left out: holes, not read
            s.done = true;
            enqueue(s);
            continue;
          }
          if (changed != null && !changed.intersects(first, first + blocks) && allStored(prev, blocks, skip, first)) {
            // the source says nothing here changed since the parent: take the parent's blocks unread
            for (int i = 0; i < blocks; i++) {
              if (skip.contains(first + i)) {
                countSkipped(first + i, first + i + 1);
              } else if (prev[i * BlockTree.SLOT] != BlockTree.HOLE) {
                System.arraycopy(prev, i * BlockTree.SLOT, s.records, i * BlockTree.SLOT, BlockTree.SLOT);
                unchanged.incrementAndGet();
              }
            }
            s.done = true;
            enqueue(s);
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
            holes += blocks - countSkipped(first, first + blocks);
            s.done = true;
            enqueue(s);
            continue;
          }
          enqueue(s);
          int fdr = fd;
          pool.execute(() -> readAndHash(s, fdr, source));
        }
        waitAll();
        tree.finish();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bytes", Long.toString(size));
        props.put("blockSize", Integer.toString(blockSize));
        props.put("source", source);
        if (recovered.get() > 0) {
          String of = writer.parent().map(i -> i.ref().toString()).orElse("the parent image");
          damage.add(new CycleWarning("/", "blocks were read and stored again where the chunks " + of
              + " names are no longer in the repository; this image is whole, but " + of
              + " and earlier images that share those chunks are damaged (smc check names them)"));
        }
        writer.storeDamage().forEach(d -> damage.add(new CycleWarning("repository", d)));
        // the last packs leave during the commit: the progress goes on meanwhile
        ImageInfo info = ProgressMeter.ticking(pool, () -> progress(false), () -> writer.commit(props));
        progress(true);
        Map<String, Long> details = new LinkedHashMap<>();
        long total = (size + blockSize - 1) / blockSize;
        details.put("blocksScanned", total);
        details.put("blocksFree", free.get());
        details.put("blocksLeftOut", leftOut.get());
        details.put("blocksHoles", holes);
        details.put("blocksZero", zero.get());
        details.put("blocksUnchanged", unchanged.get());
        details.put("blocksStored", stored.get());
        details.put("blocksDeduplicated", reused.get());
        return new CycleReport(info.ref(), type, 0, size, bytesRead.get(), writer.bytesStored(), stored.get(),
            unchanged.get() + reused.get(), 0, Duration.ofNanos(System.nanoTime() - started), damage, details);
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

    /** A free frame; frames come back as {@link #drain} writes finished segments. */
    private Frame takeFrame() throws IOException {
      while (true) {
        drain();
        Frame f = frames.poll();
        if (f != null) {
          return f;
        }
        synchronized (this) {
          Segment head = queue.peek();
          if ((head == null || !head.done) && failure.get() == null) {
            try {
              wait(100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
            }
          }
        }
      }
    }

    private void enqueue(Segment s) throws IOException {
      synchronized (this) {
        queue.add(s);
      }
      drain();
    }

    /** Writes finished segments, in disk order, to the tree. */
    private void drain() throws IOException {
      checkFailure();
      while (true) {
        Segment head;
        synchronized (this) {
          head = queue.peek();
          if (head == null || !head.done) {
            break;
          }
          queue.poll();
        }
        for (int i = 0; i < head.blocks; i++) {
          tree.record(head.records, i * BlockTree.SLOT);
        }
        frames.add(head.frame);
        long first = head.offset / blockSize;
        scanned += head.length - skipped.all().count(first, first + head.blocks) * blockSize;
        progress(false);
      }
    }

    private void waitAll() throws IOException {
      while (true) {
        synchronized (this) {
          if (queue.isEmpty()) {
            return;
          }
          if (!queue.peek().done && failure.get() == null) {
            try {
              wait(100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new SmcException(ErrorCode.CANCELLED, "cycle of " + task + " interrupted");
            }
          }
        }
        drain();
      }
    }

    private void checkFailure() throws IOException {
      Cycles.rethrow(failure.get());
    }

    /**
     * Pool thread: reads a segment and names every block. A block whose fingerprint matches the
     * parent's block at the same offset takes the parent's record unhashed; the others are
     * hashed with SHA-256 and stored unless the repository has them.
     */
    private void readAndHash(Segment s, int fd, String source) {
      byte[] block = new byte[blockSize];
      ByteBuffer buf = window.get();
      try {
        long first = s.offset / blockSize;
        for (int w = 0; w < s.length && failure.get() == null; w += windowSize) {
          int wLen = Math.min(windowSize, s.length - w);
          int wFirst = w / blockSize;
          int wBlocks = (wLen + blockSize - 1) / blockSize;
          if (s.skip.containsAll(first + wFirst, first + wFirst + wBlocks)) {
            // skipped inside a segment that has data: not read either
            countSkipped(first + wFirst, first + wFirst + wBlocks);
            continue;
          }
          read(buf, wLen, fd, s.offset + w, source);
          bytesRead.addAndGet(wLen);
          for (int i = 0; i < wBlocks; i++) {
            name(s, wFirst + i, buf, i * blockSize, Math.min(blockSize, wLen - i * blockSize), block);
          }
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        synchronized (this) {
          s.done = true;
          notifyAll();
        }
      }
    }

    /** Names block {@code i} of segment {@code s}, whose bytes are {@code buf[at, at+len)}. */
    private void name(Segment s, int i, ByteBuffer buf, int at, int len, byte[] block) throws IOException {
      byte[] rec = s.records;
      byte[] prev = s.parent;
      int slot = i * BlockTree.SLOT;
      long no = s.offset / blockSize + i;
      if (s.skip.contains(no)) {
        countSkipped(no, no + 1);
        return;
      }
      if (s.changed != null && !s.changed.contains(no) && prev[slot] != BlockTree.HOLE && stored(prev, slot)) {
        System.arraycopy(prev, slot, rec, slot, BlockTree.SLOT);
        unchanged.incrementAndGet();
        return;
      }
      Fingerprint.of(buf, at, len, rec, slot + BlockTree.FP);
      if ((len < blockSize || Fingerprint.equal(rec, slot + BlockTree.FP, zeroPrint, 0)) && isZero(buf, at, len)) {
        zero.incrementAndGet();
        return;
      }
      rec[slot] = BlockTree.HASHED;
      if (prev[slot] == BlockTree.HASHED && Fingerprint.equal(rec, slot + BlockTree.FP, prev, slot + BlockTree.FP)) {
        if (stored(prev, slot)) {
          System.arraycopy(prev, slot + BlockTree.ID, rec, slot + BlockTree.ID, ChunkId.LENGTH);
          unchanged.incrementAndGet();
          return;
        }
        recovered.incrementAndGet(); // the parent's chunk is lost: this block is stored again below
      }
      buf.get(at, block, 0, len);
      byte[] sha = Hashing.sha256(block, 0, len);
      System.arraycopy(sha, 0, rec, slot + BlockTree.ID, ChunkId.LENGTH);
      if (BlockTree.sameId(rec, slot, prev, slot) && stored(prev, slot)) {
        unchanged.incrementAndGet(); // a version-1 parent, which has no fingerprints
      } else if (writer.putChunk(ChunkId.of(sha), ByteBuffer.wrap(block, 0, len)) > 0) {
        stored.incrementAndGet();
      } else {
        reused.incrementAndGet();
      }
    }

    /** Whether the store can produce the chunk the parent's record at {@code slot} names. */
    private boolean stored(byte[] prev, int slot) throws IOException {
      return writer.hasChunk(ChunkId.of(prev, slot + BlockTree.ID));
    }

    /** Whether every block of a segment the hints say is unchanged can be taken from the parent. */
    private boolean allStored(byte[] prev, int blocks, BlockRanges skip, long first) throws IOException {
      for (int i = 0; i < blocks; i++) {
        if (!skip.contains(first + i) && prev[i * BlockTree.SLOT] != BlockTree.HOLE
            && !stored(prev, i * BlockTree.SLOT)) {
          recovered.incrementAndGet();
          return false;
        }
      }
      return true;
    }

    /** Reads {@code len} bytes at {@code offset} into {@code buf[0, len)}. */
    private void read(ByteBuffer buf, int len, int fd, long offset, String source) throws IOException {
      buf.clear().limit(len);
      while (buf.hasRemaining()) {
        long at = offset + buf.position();
        if (posix.pread(fd, buf, at) <= 0) {
          throw new SmcException(ErrorCode.SOURCE_IO, "source " + source + " ended at " + at + " of " + size
              + " bytes while read");
        }
      }
    }

    private boolean isZero(ByteBuffer buf, int at, int len) {
      return buf.slice(at, len).mismatch(zeros.slice(0, len)) < 0;
    }

    private void progress(boolean last) {
      long now = System.nanoTime();
      if (!last && now - lastProgress < 250_000_000L) {
        return;
      }
      lastProgress = now;
      Progress p = meter.snapshot(scanned, bytesRead.get(), writer.bytesStored(), writer.bytesSent(), 0);
      Cycles.safe(() -> listener.progress(task, p));
    }

    /**
     * Counts the skipped blocks of {@code [first, end)}: left out when in a partition left out, else free.
     *
     * @return how many there are
     */
    private long countSkipped(long first, long end) {
      long n = skipped.all().count(first, end);
      long out = skipped.leftOut().count(first, end);
      leftOut.addAndGet(out);
      free.addAndGet(n - out);
      return n;
    }
  }
}
