package dev.smc.transfer.paths;

import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A folder by its device and inode ({@code st_dev}, {@code st_ino}): the same for every path that
 * reaches it, through symlinks or bind mounts, so a check by id cannot be dodged by spelling the
 * path another way. Immutable.
 */
public record FolderId(long dev, long ino) {

  /** The id of what {@code st} describes. */
  static FolderId of(Stat st) {
    return new FolderId(st.dev(), st.ino());
  }

  /** The id of the folder at {@code path} (symlinks followed), or empty when nothing is there. */
  public static Optional<FolderId> of(Path path) throws IOException {
    try {
      return Optional.of(of(Posix.get().stat(PathBytes.of(path.toAbsolutePath()))));
    } catch (PosixException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  // written out: a record's generated equals and hashCode are bootstrapped through method handles on first
  // use, some 20 ms of a short-lived CLI process, and the file engine asks this map once a cycle
  @Override
  public boolean equals(Object o) {
    return o instanceof FolderId f && f.dev == dev && f.ino == ino;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(dev) * 31 + Long.hashCode(ino);
  }

  @Override
  public String toString() {
    return "FolderId[dev=" + dev + ", ino=" + ino + "]";
  }

  /** Whether the file with device {@code dev} and inode {@code ino} is this folder. */
  public boolean is(long dev, long ino) {
    return this.dev == dev && this.ino == ino;
  }

  private boolean is(Stat st) {
    return is(st.dev(), st.ino());
  }

  /**
   * Whether this folder is the folder {@code dir} or one of its ancestors, found by following
   * {@code ..} up to {@code /} (which the kernel resolves physically: no symlink misleads it).
   */
  public boolean holdsFolder(byte[] dir) throws IOException {
    Posix posix = Posix.get();
    byte[] p = dir;
    Stat cur = posix.stat(p);
    for (int depth = 0; depth < 4096; depth++) {
      if (is(cur)) {
        return true;
      }
      p = PathBytes.join(p, DOTDOT);
      Stat up = posix.stat(p);
      if (up.dev() == cur.dev() && up.ino() == cur.ino()) {
        return false; // "/" is its own parent
      }
      cur = up;
    }
    return false;
  }

  private static final byte[] DOTDOT = {'.', '.'};

  /**
   * Whether this folder is {@code path} or one of its ancestors (a path that does not exist yet is
   * judged by the ancestors that do). Give a resolved path ({@link RestoreTarget#resolve}).
   */
  public boolean holds(Path path) throws IOException {
    Posix posix = Posix.get();
    for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        if (is(posix.stat(PathBytes.of(p)))) {
          return true;
        }
      } catch (PosixException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
    }
    return false;
  }
}
