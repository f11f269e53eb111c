package dev.smc.transfer.paths;

import dev.smc.InvalidSpecException;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * What a source path is, found with {@code stat} and {@code statfs} alone: nothing is opened, so a
 * FIFO or a device that would block a reader cannot hang the check. A source is a folder (copied
 * file by file), a disk image file of at least one byte, or a block device (copied block by
 * block); anything else, and any file or folder of a kernel interface such as procfs or sysfs
 * (whose sizes say nothing of their content), is refused with a reason. Symlinks are followed.
 * Stateless and thread-safe.
 */
public final class SourcePaths {
  /** What a source may be, for messages. */
  public static final String ALLOWED = "a folder, a disk image file (a regular file, not empty) or a block device";

  /** File systems that are interfaces to the kernel, not data. */
  private static final Set<Long> KERNEL_FILE_SYSTEMS = Set.of(Posix.PROC_SUPER_MAGIC, Posix.SYSFS_MAGIC,
      Posix.DEBUGFS_MAGIC, Posix.TRACEFS_MAGIC, Posix.SECURITYFS_MAGIC, Posix.CGROUP_SUPER_MAGIC,
      Posix.CGROUP2_SUPER_MAGIC, Posix.CONFIGFS_MAGIC);

  /** How a source is copied. */
  public enum Kind {
    /** File by file. */
    FOLDER,
    /** Block by block: a regular file holding a disk. */
    DISK_FILE,
    /** Block by block. */
    BLOCK_DEVICE
  }

  private SourcePaths() {}

  /**
   * The kind of the source at {@code path}; throws {@link InvalidSpecException} naming
   * {@code field}, the path and why it cannot be a source (and {@link #ALLOWED}).
   */
  public static Kind check(String field, Path path) {
    Verdict v = examine(PathBytes.of(path.toAbsolutePath()));
    if (v.kind == null) {
      throw InvalidSpecException.of(field, path, v.problem + "; allowed " + ALLOWED);
    }
    return v.kind;
  }

  /** Why {@code path} cannot be a source, or empty when it can. */
  public static Optional<String> problem(Path path) {
    return Optional.ofNullable(examine(PathBytes.of(path.toAbsolutePath())).problem);
  }

  /** As {@link #problem(Path)}, the path given as file-name bytes. */
  public static Optional<String> problem(byte[] path) {
    return Optional.ofNullable(examine(path).problem);
  }

  /** A kind, or why there is none. */
  private record Verdict(@Nullable Kind kind, @Nullable String problem) {
    static Verdict no(String why) {
      return new Verdict(null, why);
    }
  }

  private static Verdict examine(byte[] p) {
    Posix posix = Posix.get();
    Stat st;
    try {
      st = posix.stat(p);
    } catch (PosixException e) {
      return Verdict.no(e.isNotFound() ? "does not exist" : "cannot be examined: " + e.reason());
    }
    if (st.isFifo()) {
      return Verdict.no("is a FIFO (named pipe): reading it would wait for a writer, and it holds no disk");
    }
    if (st.isCharDevice()) {
      return Verdict.no("is a character device, not a disk");
    }
    if (st.isSocket()) {
      return Verdict.no("is a socket");
    }
    if (st.isBlockDevice()) {
      return new Verdict(Kind.BLOCK_DEVICE, null);
    }
    try {
      long fs = posix.fileSystemType(p);
      if (KERNEL_FILE_SYSTEMS.contains(fs)) {
        return Verdict.no("is " + (st.isDirectory() ? "a folder" : "a file") + " of a kernel interface (procfs, sysfs"
            + " or the like, file system type 0x" + Long.toHexString(fs) + "), whose sizes say nothing of its content");
      }
    } catch (PosixException e) {
      return Verdict.no("cannot be examined: " + e.reason());
    }
    if (st.isDirectory()) {
      return new Verdict(Kind.FOLDER, null);
    }
    if (st.size() == 0) {
      return Verdict.no("is an empty file (0 bytes): no disk image");
    }
    return new Verdict(Kind.DISK_FILE, null);
  }
}
