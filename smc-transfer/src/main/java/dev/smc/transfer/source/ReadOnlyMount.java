package dev.smc.transfer.source;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file system of a disk that is not this machine's (an image file, or an attached snapshot) mounted read-only
 * in a private folder through an offset loop device, so nothing is written to it: ext2/3/4 with {@code noload}
 * (the journal is not replayed), xfs with {@code norecovery}, btrfs with {@code rescue=nologreplay}. Needs root.
 * {@link #close()} always unmounts and removes the folder. Not thread-safe.
 */
final class ReadOnlyMount implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyMount.class);
  private static final long TIMEOUT_SECONDS = 60;
  /** The file systems this mounts (and so the ones a server's cycle reads file by file). */
  static final java.util.Set<String> TYPES = java.util.Set.of("ext2", "ext3", "ext4", "xfs", "btrfs");

  /** File systems this process has mounted so far (for tests: a cycle mounts each of its file systems once). */
  static final java.util.concurrent.atomic.AtomicInteger MOUNTED = new java.util.concurrent.atomic.AtomicInteger();

  private final Path dir;
  private final boolean ownDir;
  private boolean mounted;

  private ReadOnlyMount(Path dir, boolean ownDir) {
    this.dir = dir;
    this.ownDir = ownDir;
  }

  /** Whether this process may mount (it runs as root). */
  static boolean possible() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Mounts the {@code fsType} file system at {@code offset} (of {@code size} bytes) of {@code disk}. */
  static ReadOnlyMount open(Path disk, long offset, long size, String fsType) throws IOException {
    return open(disk, offset, size, fsType, null);
  }

  /** As {@link #open(Path, long, long, String)}, at {@code at} (an existing folder, left in place) if not null. */
  static ReadOnlyMount open(Path disk, long offset, long size, String fsType, @Nullable Path at) throws IOException {
    String extra = switch (fsType) {
      case "ext2", "ext3", "ext4" -> ",noload";
      case "xfs" -> ",norecovery";
      case "btrfs" -> ",rescue=nologreplay";
      default -> "";
    };
    Path dir = at != null ? at : Files.createTempDirectory("smc-mount-");
    ReadOnlyMount m = new ReadOnlyMount(dir, at == null);
    try {
      run(List.of("mount", "-t", fsType, "-o", "ro" + extra + ",loop,offset=" + offset + ",sizelimit=" + size,
          disk.toString(), dir.toString()));
      m.mounted = true;
      MOUNTED.incrementAndGet();
      return m;
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** The mounted file system's root. */
  Path root() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    try {
      if (mounted) {
        run(List.of("umount", dir.toString()));
        mounted = false;
      }
    } finally {
      if (!mounted) {
        if (ownDir) {
          Files.deleteIfExists(dir);
        }
      } else {
        LOG.warn("{} is still mounted; unmount it by hand (umount {})", dir, dir);
      }
    }
  }

  static void run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": no answer in " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", cmd) + ": interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")" + (out.isEmpty() ? ""
          : ": " + out));
    }
  }
}
