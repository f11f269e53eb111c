package dev.smc.transfer.files;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.internal.Cycles;
import java.io.IOException;
import java.util.Map;

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
  private final MigrationListener listener;
  private final int threads;
  private final long maxInFlightBytes;
  private final int chunkSize;
  private final boolean crossFileSystems;
  private final Map<String, String> imageProperties;
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
    this.imageProperties = Map.copyOf(b.imageProperties);
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
    private final Map<String, String> imageProperties = new java.util.TreeMap<>();
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

    /**
     * A property the committed image carries besides the engine's own (files, bytes, chunkSize), such as the
     * description of the server it holds; {@code source} replaces the root folder's path (a server's disks, say).
     * The engine's counts cannot be replaced.
     */
    public Builder imageProperty(String key, String value) {
      if (key.equals("files") || key.equals("bytes") || key.equals("chunkSize")) {
        throw new IllegalArgumentException("image property " + key + " is the engine's own");
      }
      this.imageProperties.put(java.util.Objects.requireNonNull(key, "key"), java.util.Objects.requireNonNull(value,
          "value"));
      return this;
    }

    /**
     * A cycle of a server whose file systems are mounted below the root ({@code ServerDisksSource}): it crosses
     * into them, and the image names the source {@code sourceId} and carries {@code description}.
     */
    public Builder serverImage(String sourceId, dev.smc.spi.SourceDescription description) {
      return crossFileSystems(true).imageProperty("source", sourceId).imageProperty(
          dev.smc.transfer.source.DescriptionCodec.PROPERTY, dev.smc.transfer.source.DescriptionCodec.encode(description));
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
          type -> new FileCycle(store, writer, new TreeWalk.Scope(root, rootStat, excludes, leftOut, crossFileSystems),
              task, chunkSize, listener, threads, maxInFlightBytes, imageProperties).run(type));
    }
  }
}
