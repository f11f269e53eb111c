package dev.smc.transfer.paths;

import dev.smc.InvalidSpecException;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a restore really writes: the real path of the target's folder (every symlink of the path
 * resolved) joined with the target's own name, which must not be a symlink itself (a restore never
 * writes through one); and never the folder of the store it reads, nor anything inside it. The
 * restores write to the resolved path and report it. Stateless and thread-safe.
 */
public final class RestoreTarget {
  private RestoreTarget() {}

  /**
   * Resolves {@code target} for a restore from {@code store}.
   *
   * @throws InvalidSpecException naming the field {@code target} when its folder does not exist,
   *     when its last component is a symlink, or when it is (or is inside) the store's folder
   */
  public static Path resolve(ImageStore store, Path target) throws IOException {
    Path resolved = resolve(target);
    Optional<Path> folder = StoreFolder.of(store);
    if (folder.isPresent()) {
      Optional<FolderId> id = FolderId.of(folder.get());
      if (id.isPresent() && id.get().holds(resolved)) {
        throw InvalidSpecException.of("target", target, "a path outside the repository " + folder.get()
            + (resolved.equals(target) ? "" : " (it resolves to " + resolved + ")")
            + "; restoring into the repository would damage it");
      }
    }
    return resolved;
  }

  /** The real path of {@code target}'s folder joined with its name; see {@link #resolve(ImageStore, Path)}. */
  public static Path resolve(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path name = abs.getFileName();
    Path parent = abs.getParent();
    if (name == null || parent == null || name.toString().equals(".") || name.toString().equals("..")) {
      try {
        return abs.toRealPath();
      } catch (NoSuchFileException e) {
        throw InvalidSpecException.of("target", target, "an existing folder's path, or a new name in one");
      }
    }
    Path realParent;
    try {
      realParent = parent.toRealPath();
    } catch (NoSuchFileException e) {
      throw InvalidSpecException.of("target", target, "a new or existing name in an existing folder; "
          + parent + " does not exist");
    }
    Path resolved = realParent.resolve(name.toString());
    try {
      if (Posix.get().lstat(PathBytes.of(resolved)).isSymlink()) {
        throw InvalidSpecException.of("target", target, "not a symlink (a restore never writes through one);"
            + " give the path it points to");
      }
    } catch (PosixException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
    return resolved;
  }
}
