package dev.smc.transfer.source;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import dev.smc.spi.SourceSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The disks of a stopped or snapshotted server (image files or block devices, the first the system disk) as a
 * migration source, file by file: {@link #open()} mounts each file system the server's fstab mounts, read-only
 * ({@link ReadOnlyMount}), at its mount point below one private root — the root file system first, then
 * {@code /data} inside it, and so on — so one cycle reads the server's files as the server sees them, crossing
 * into its data disks' mount points; closing the snapshot unmounts them all, innermost first. Nothing is written
 * to the disks. Needs root. Block-level partitions are not copied by this source yet. Thread-safe.
 */
public final class ServerDisksSource implements MigrationSource {
  private final List<Path> disks;
  private final Set<Integer> dataDisks;

  /** Every disk of the server copied. */
  public ServerDisksSource(List<Path> disks) {
    this(disks, null);
  }

  /**
   * The server of {@code disks}, copying the system disk and the data disks {@code dataDisks} (indexes 1..n-1;
   * null for all): the others are described but not read, as when the owner unticks a data disk.
   */
  public ServerDisksSource(List<Path> disks, @javax.annotation.Nullable Set<Integer> dataDisks) {
    if (disks.isEmpty()) {
      throw new IllegalArgumentException("disks: at least the system disk");
    }
    this.disks = disks.stream().map(d -> d.toAbsolutePath().normalize()).collect(Collectors.toUnmodifiableList());
    if (dataDisks != null) {
      for (int i : dataDisks) {
        if (i < 1 || i >= disks.size()) {
          throw new IllegalArgumentException("dataDisks: " + i + " is not a data disk (1.." + (disks.size() - 1) + ")");
        }
      }
    }
    this.dataDisks = dataDisks == null ? null : Set.copyOf(dataDisks);
  }

  @Override
  public String id() {
    return SourceLocator.ofDisks(disks, dataDisks);
  }

  /** Whether disk {@code index} is copied. */
  private boolean copied(int index) {
    return index == 0 || dataDisks == null || dataDisks.contains(index);
  }

  @Override
  public SourceDescription describe() throws IOException {
    return ServerDescriber.ofDisks(disks);
  }

  /** The server mounted read-only below one root, and its description at that moment. */
  @Override
  public Snapshot open() throws IOException {
    if (!ReadOnlyMount.possible()) {
      throw new SmcException(ErrorCode.INVALID_SPEC, "reading a server's disks file by file mounts their file"
          + " systems read-only, which needs root");
    }
    StaleMounts.removeDead();
    Path root = Files.createTempDirectory(StaleMounts.PREFIX + ProcessHandle.current().pid() + "-");
    List<ReadOnlyMount> opened = new ArrayList<>();
    ServerDescriber.Described described;
    try {
      described = ServerDescriber.ofDisks(disks, root); // the root file system stays mounted at root
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(root);
      throw e;
    }
    described.root().map(ServerDescriber.Root::mounted).ifPresent(opened::add);
    try {
      return open(described, root, opened);
    } catch (IOException | RuntimeException e) {
      new Snapshot(root, described.description(), opened).close();
      throw e;
    }
  }

  /**
   * Mounts what the server's fstab mounts below {@code root}, where {@code opened} holds the Linux root the
   * description found, if any: kept when it is the fstab's {@code /}, else replaced by that.
   */
  private Snapshot open(ServerDescriber.Described described, Path root, List<ReadOnlyMount> opened)
      throws IOException {
    SourceDescription d = described.description();
    List<Mount> mounts = d.mounts().stream().filter(m -> ReadOnlyMount.TYPES.contains(m.fsType()) && copied(m.disk()))
        .sorted(Comparator.comparingInt(m -> depth(m.mountPoint()))).toList();
    if (mounts.isEmpty() || !mounts.get(0).mountPoint().equals("/")) {
      throw new SmcException(ErrorCode.INVALID_SPEC, "no root file system found on the disks " + disks + ": "
          + String.join("; ", d.warnings()));
    }
    List<String> notCopied = new ArrayList<>();
    for (SourceDescription.Disk disk : d.disks()) {
      if (!copied(disk.index())) {
        continue;
      }
      for (Partition p : ServerDescriber.partitionsOrWhole(disk)) {
        String type = p.fileSystem().map(SourceDescription.FileSystem::type).orElse("");
        if (ReadOnlyMount.TYPES.contains(type) && mounts.stream().noneMatch(m -> m.disk() == disk.index()
            && m.partition() == p.number())) {
          notCopied.add("partition " + SourceDescription.partitionId(disk.index(), p.number()) + " (" + type
              + ") is mounted nowhere by the server's fstab: its files are not copied");
        }
      }
    }
    if (!notCopied.isEmpty()) {
      List<String> w = new ArrayList<>(d.warnings());
      w.addAll(notCopied);
      d = new SourceDescription(d.osType(), d.osName(), d.architecture(), d.hostname(), d.disks(), d.mounts(), w);
    }
    Mount top = mounts.get(0);
    boolean rootMounted = !opened.isEmpty() && described.root().filter(r -> r.disk() == top.disk()
        && r.partition() == top.partition()).isPresent();
    if (!rootMounted && !opened.isEmpty()) {
      opened.remove(0).close(); // the fstab's / is another file system than the first root found (A/B roots)
    }
    for (Mount m : mounts) {
      if (m == top && rootMounted) {
        continue; // mounted while describing: not mounted a second time
      }
      Partition p = partition(d, m);
      Path at = m.mountPoint().equals("/") ? root : root.resolve(m.mountPoint().substring(1));
      if (!Files.isDirectory(at)) {
        throw new SmcException(ErrorCode.INVALID_SPEC, "the server's fstab mounts partition "
            + SourceDescription.partitionId(m.disk(), m.partition()) + " at " + m.mountPoint()
            + ", which is not a folder of the file systems mounted before it");
      }
      opened.add(ReadOnlyMount.open(disks.get(m.disk()), p.startBytes(), p.sizeBytes(), m.fsType(), at));
    }
    Snapshot snap = new Snapshot(root, d, opened);
    snap.unmountOnExit();
    return snap;
  }

  private static Partition partition(SourceDescription d, Mount m) {
    return ServerDescriber.partitionsOrWhole(d.disks().get(m.disk())).stream()
        .filter(p -> p.number() == m.partition()).findFirst().orElseThrow();
  }

  private static int depth(String mountPoint) {
    return mountPoint.equals("/") ? 0 : mountPoint.split("/").length;
  }

  /** One cycle's view: the server's file systems mounted below {@link #root()}. */
  public static final class Snapshot implements SourceSnapshot {
    private final Path root;
    private final SourceDescription description;
    private final List<ReadOnlyMount> mounts;
    private boolean closed;
    @javax.annotation.Nullable private Thread hook;

    Snapshot(Path root, SourceDescription description, List<ReadOnlyMount> mounts) {
      this.root = root;
      this.description = description;
      this.mounts = mounts;
    }

    @Override
    public byte[] root() {
      return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** On SIGTERM or Ctrl-C the mounts are undone too (a kill -9 leaves them to {@link StaleMounts}). */
    void unmountOnExit() {
      hook = new Thread(() -> {
        try {
          close();
        } catch (IOException e) {
          // the next open() removes what is left
        }
      }, "smc-unmount-server");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The server as it was described when this snapshot was taken. */
    public SourceDescription description() {
      return description;
    }

    /** Unmounts everything, innermost first, then removes the root folder; safe to call twice. */
    @Override
    public synchronized void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      if (hook != null && Thread.currentThread() != hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook runs this anyway
        }
      }
      IOException failed = null;
      for (int i = mounts.size() - 1; i >= 0; i--) {
        try {
          mounts.get(i).close();
        } catch (IOException e) {
          failed = failed == null ? e : failed;
        }
      }
      if (failed != null) {
        throw failed;
      }
      Files.deleteIfExists(root);
    }
  }
}
