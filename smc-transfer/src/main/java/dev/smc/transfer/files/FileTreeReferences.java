package dev.smc.transfer.files;

import dev.smc.spi.ChunkId;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.repo.TreeReferences;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Finds the data chunks a file-tree image refers to, and the files lost chunks damage (for check and gc). */
public final class FileTreeReferences implements TreeReferences {
  @Override
  public void scan(InputStream tree, Consumer<ChunkId> out) throws IOException {
    TreeFormat.references(tree, out);
  }

  /** One line a damaged file: {@code file var/lib/db/ibdata1: 3 of 120 chunks lost}; further names of it too. */
  @Override
  public void damage(InputStream tree, Predicate<ChunkId> lost, Consumer<String> out) throws IOException {
    Map<Long, String> damagedLinked = new HashMap<>();
    try (TreeFormat.Reader r = new TreeFormat.Reader(tree)) {
      for (long ord = r.ordinal(); ; ord = r.ordinal()) {
        Entry e = r.next();
        if (e == null) {
          return;
        }
        String path = PathBytes.printable(e.path);
        if (e.kind == Entry.REG && e.chunks != null) {
          int n = 0;
          int gone = 0;
          for (ChunkId c : e.chunks) {
            if (c != null) {
              n++;
              gone += lost.test(c) ? 1 : 0;
            }
          }
          if (gone > 0) {
            out.accept("file " + path + ": " + gone + " of " + n + " chunk(s) lost");
            if (e.nlink > 1) {
              damagedLinked.put(ord, path);
            }
          }
        } else if (e.kind == Entry.HARDLINK && damagedLinked.containsKey(e.linkTo)) {
          out.accept("file " + path + ": a further name of the damaged " + damagedLinked.get(e.linkTo));
        }
      }
    }
  }
}
