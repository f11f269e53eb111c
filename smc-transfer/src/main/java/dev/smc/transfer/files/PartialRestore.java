package dev.smc.transfer.files;

import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import java.util.Collection;

/**
 * What a failed restore of a file tree leaves: nothing it wrote, or (when asked to keep it) the
 * partial tree without the files it had not finished, so no file is left under its name with
 * content the image does not hold. Stateless.
 */
final class PartialRestore {
  private PartialRestore() {}

  /** Removes what a restore wrote: the folder {@code target} if it made it, else everything inside it. */
  static String removeAll(Posix posix, byte[] target, boolean created) {
    String t = PathBytes.printable(target);
    try {
      if (created) {
        deleteTree(posix, target);
        return "what it wrote was removed (the folder " + t + " it had created)";
      }
      for (DirEntry d : posix.readDir(target)) {
        deleteTree(posix, PathBytes.join(target, d.name()));
      }
      return "what it wrote into " + t + " was removed";
    } catch (PosixException e) {
      return "removing what it wrote failed (" + e.getMessage() + "): " + t + " holds a partial tree";
    }
  }

  /** Removes the files a restore had not finished; the rest of the partial tree stays. */
  static String removeIncomplete(Posix posix, Collection<byte[]> files) {
    int removed = 0;
    for (byte[] f : files) {
      try {
        posix.unlink(f);
        removed++;
      } catch (PosixException e) {
        if (!e.isNotFound()) {
          return "the partial tree is kept, but removing the unfinished file " + PathBytes.printable(f)
              + " failed (" + e.reason() + "): its content is not the image's";
        }
      }
    }
    return "the partial tree is kept as asked; " + (removed == 0 ? "no file was left unfinished"
        : removed == 1 ? "the file it had not finished was removed"
        : "the " + removed + " files it had not finished were removed");
  }

  private static void deleteTree(Posix posix, byte[] path) throws PosixException {
    if (!posix.lstat(path).isDirectory()) {
      posix.unlink(path);
      return;
    }
    try {
      posix.chmod(path, 0700); // a restored folder may already have its final, read-only mode
    } catch (PosixException e) {
      // try anyway
    }
    for (DirEntry d : posix.readDir(path)) {
      deleteTree(posix, PathBytes.join(path, d.name()));
    }
    posix.rmdir(path);
  }
}
