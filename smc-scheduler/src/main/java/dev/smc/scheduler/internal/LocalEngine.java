package dev.smc.scheduler.internal;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.SmcException;
import dev.smc.TaskSpec;
import dev.smc.scheduler.CycleEngine;
import dev.smc.spi.ImageStore;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SnapshotHooks;
import dev.smc.spi.SourceSnapshot;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.paths.FolderId;
import dev.smc.transfer.paths.SourcePaths;
import dev.smc.transfer.source.CommandHooks;
import dev.smc.transfer.source.MigrationSources;
import dev.smc.transfer.source.ServerDisksSource;
import dev.smc.transfer.source.SourceLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the engine as {@code smc migrate} does without {@code --mode}: a folder is copied file by
 * file, anything else (disk image file, block device) block by block. A folder source never brings
 * in the folders given as left out (the scheduler's repository, which a cycle through a transit
 * instance writes to by another way, and its home); the store's own folder is always left out.
 * Thread-safe.
 */
public final class LocalEngine implements CycleEngine {
  private final Map<Path, String> leaveOut;

  public LocalEngine() {
    this(Map.of());
  }

  /** An engine whose file cycles leave the folders of {@code leaveOut} (each with what it is) out of their sources. */
  public LocalEngine(Map<Path, String> leaveOut) {
    this.leaveOut = Map.copyOf(leaveOut);
  }

  @Override
  public CycleReport run(TaskSpec spec, ImageStore store, MigrationListener listener) throws IOException {
    Optional<List<Path>> disks = SourceLocator.disks(spec.source());
    if (disks.isPresent()) {
      return server(spec, store, listener, disks.get());
    }
    Optional<MigrationSource> vendor = MigrationSources.open(spec.source());
    if (vendor.isPresent()) {
      try (SourceSnapshot snap = vendor.get().open()) {
        return FileMigration.builder().listener(listener)
            .hooks(CommandHooks.around(spec.snapshotCommands(), vendor.get().hooks()))
            .imageProperty("source", vendor.get().id()).build()
            .run(store, snap.root(), spec.imageName(), Excludes.of(spec.excludes()), spec.transfer());
      }
    }
    Path src = Path.of(spec.source());
    if (!Files.exists(src)) {
      throw new SmcException(ErrorCode.SOURCE_IO, "source " + src + " does not exist (offline?)");
    }
    if (SourcePaths.check("source", src) == SourcePaths.Kind.FOLDER) {
      FileMigration.Builder b = FileMigration.builder().listener(listener).hooks(hooks(spec));
      leaveOut.forEach(b::leaveOut);
      return b.build().run(store, src, spec.imageName(), Excludes.of(spec.excludes()), spec.transfer());
    }
    if (!spec.excludes().isEmpty()) {
      throw InvalidSpecException.of("excludes", spec.excludes(), "only for a folder source; a disk is copied block by block");
    }
    return BlockMigration.builder().listener(listener).hooks(hooks(spec)).build()
        .run(store, src, spec.imageName(), spec.transfer());
  }

  /** The task's snapshot commands, for a source with no hooks of its own. */
  private static SnapshotHooks hooks(TaskSpec spec) {
    return CommandHooks.around(spec.snapshotCommands(), SnapshotHooks.NONE);
  }

  /** A server's disks: its file systems mounted read-only as it mounts them, copied as one tree. */
  private CycleReport server(TaskSpec spec, ImageStore store, MigrationListener listener, List<Path> disks)
      throws IOException {
    for (Path d : disks) {
      if (!Files.exists(d)) {
        throw new SmcException(ErrorCode.SOURCE_IO, "disk " + d + " of the source does not exist (offline?)");
      }
    }
    ServerDisksSource server = new ServerDisksSource(disks, SourceLocator.dataDisks(spec.source()).orElse(null));
    try (ServerDisksSource.Snapshot snap = server.open()) {
      return FileMigration.builder().listener(listener).hooks(CommandHooks.around(spec.snapshotCommands(), server.hooks()))
          .serverImage(server.id(), snap.description()).build().run(store, snap.root(), spec.imageName(), Excludes.of(spec.excludes()), spec.transfer());
    }
  }

  /** Whether a source is online: a folder, a disk image file or a block device that exists; each disk of a server. */
  public static boolean online(String source) {
    Optional<List<Path>> disks = SourceLocator.disks(source);
    if (disks.isPresent()) {
      return disks.get().stream().allMatch(Files::exists);
    }
    if (MigrationSources.factoryOf(source).isPresent()) {
      return true; // the vendor's source says at its first cycle whether it can be reached
    }
    return Files.exists(Path.of(source));
  }

  /**
   * Why {@code source} cannot be a task's source, or empty: what {@link SourcePaths} refuses (a
   * FIFO, a device that is no disk, procfs, an empty file), and a source that is, or lies inside,
   * the repository folder {@code repository}.
   */
  public static Optional<String> problem(String source, Optional<Path> repository) throws IOException {
    Optional<List<Path>> disks = SourceLocator.disks(source);
    if (disks.isPresent()) {
      for (Path d : disks.get()) {
        if (SourcePaths.check("source", d) == SourcePaths.Kind.FOLDER) {
          return Optional.of("disk " + d + " is a folder, not a disk image file or a block device");
        }
      }
      return Optional.empty();
    }
    if (MigrationSources.factoryOf(source).isPresent()) {
      return Optional.empty();
    }
    Path src = Path.of(source);
    Optional<String> p = SourcePaths.problem(src);
    if (p.isPresent() || repository.isEmpty()) {
      return p;
    }
    Optional<FolderId> repo = FolderId.of(repository.get());
    if (repo.isPresent() && repo.get().holds(src.toRealPath())) {
      return Optional.of("is " + (src.toRealPath().equals(repository.get().toRealPath()) ? "" : "inside ")
          + "the repository " + repository.get() + ": a repository is never stored into itself");
    }
    return Optional.empty();
  }
}
