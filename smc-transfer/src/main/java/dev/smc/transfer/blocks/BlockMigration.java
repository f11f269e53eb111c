package dev.smc.transfer.blocks;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.spi.ChangeHints;
import dev.smc.spi.SnapshotHooks;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.paths.SourcePaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
          type -> new BlockCycle(store, writer, path, size, task,
              new BlockCycle.Settings(listener, threads, blockSize, hints, partitions, skipFreeSpace))
              .run(type, disk.toString()));
    }
  }
}
