package dev.smc.transfer.files;

import dev.smc.ImageRef;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;

/** The parent image's entries, read in walk order alongside the walk (a merge join). Not thread-safe. */
final class ParentTree implements AutoCloseable {
  private final TreeFormat.Reader reader;
  private final Map<Long, ChunkId[]> linked = new HashMap<>();
  private Entry next;

  private ParentTree(TreeFormat.Reader reader) throws IOException {
    this.reader = reader;
    advance();
  }

  @Nullable
  static ParentTree open(ImageStore store, ImageRef ref, int chunkSize) throws IOException {
    ImageStore.ImageReader r = store.openImage(ref);
    InputStream in = r.tree();
    TreeFormat.Reader tr = new TreeFormat.Reader(in);
    if (tr.chunkSize() != chunkSize) {
      tr.close();
      return null; // chunk lists of another chunk size cannot be reused
    }
    return new ParentTree(tr);
  }

  private void advance() throws IOException {
    long ord = reader.ordinal();
    next = reader.next();
    if (next != null && next.kind == Entry.REG && next.nlink > 1) {
      linked.put(ord, next.chunks);
    }
  }

  /**
   * The parent's entry at {@code path}, or null. Paths must be asked in walk order; a further
   * name of a hard-linked file comes back as a regular file with the group's chunks.
   */
  @Nullable
  Entry find(byte[] path) throws IOException {
    while (next != null && TreeFormat.compare(next.path, path) < 0) {
      advance();
    }
    if (next == null || TreeFormat.compare(next.path, path) != 0) {
      return null;
    }
    Entry p = next;
    advance();
    if (p.kind == Entry.HARDLINK) {
      p.chunks = linked.get(p.linkTo);
      p.kind = Entry.REG;
      p.xattrs = null; // kept on the group's first name only: read them again
    }
    return p;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
