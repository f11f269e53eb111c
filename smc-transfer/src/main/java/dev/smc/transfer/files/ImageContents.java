package dev.smc.transfer.files;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.NotFoundException;
import dev.smc.SmcException;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.annotation.Nullable;

/**
 * What a file-tree image holds, read from its tree alone (no file data is read): every entry at or
 * below a path ({@code smc ls}), and what differs between two images ({@code smc diff}), both in
 * walk order and streamed, so an image of millions of files needs no more memory than its hard-link
 * groups. Stateless and thread-safe.
 */
public final class ImageContents {
  private ImageContents() {}

  /**
   * Hands every entry at or below {@code path} to {@code out}; returns how many. {@code path} is
   * relative to the image's root ({@code ""} or {@code "/"}: everything).
   *
   * @throws NotFoundException when nothing in the image is at {@code path}
   */
  public static long list(ImageStore store, ImageRef ref, String path, Consumer<ImageEntry> out) throws IOException {
    byte[] prefix = normalize("path", path);
    long n = 0;
    try (Tree t = new Tree(store, ref)) {
      for (Entry e = t.next(); e != null; e = t.next()) {
        if (under(e.path, prefix)) {
          out.accept(t.describe(e));
          n++;
        }
      }
    }
    if (n == 0) {
      throw new NotFoundException("image " + ref + " has nothing at '" + path + "'");
    }
    return n;
  }

  /** Hands every difference between images {@code a} and {@code b} to {@code out}; returns how many. */
  public static long diff(ImageStore store, ImageRef a, ImageRef b, Consumer<ImageChange> out) throws IOException {
    long n = 0;
    try (Tree ta = new Tree(store, a); Tree tb = new Tree(store, b)) {
      Entry x = ta.next();
      Entry y = tb.next();
      while (x != null || y != null) {
        int c = x == null ? 1 : y == null ? -1 : TreeFormat.compare(x.path, y.path);
        if (c < 0) {
          ImageEntry before = ta.describe(x);
          out.accept(new ImageChange(ImageChange.Kind.REMOVED, before.path(), before, null, List.of()));
          n++;
          x = ta.next();
        } else if (c > 0) {
          ImageEntry after = tb.describe(y);
          out.accept(new ImageChange(ImageChange.Kind.ADDED, after.path(), null, after, List.of()));
          n++;
          y = tb.next();
        } else {
          List<String> what = differences(x, y, ta, tb);
          if (!what.isEmpty()) {
            ImageEntry before = ta.describe(x);
            out.accept(new ImageChange(ImageChange.Kind.CHANGED, before.path(), before, tb.describe(y), what));
            n++;
          }
          x = ta.next();
          y = tb.next();
        }
      }
    }
    return n;
  }

  private static List<String> differences(Entry x, Entry y, Tree tx, Tree ty) {
    List<String> what = new ArrayList<>();
    if (x.kind != y.kind) {
      what.add("type");
    } else if ((x.kind == Entry.REG || x.kind == Entry.HARDLINK)
        && (x.size != y.size || !Arrays.equals(tx.chunksOf(x), ty.chunksOf(y)))) {
      what.add("content");
    }
    if ((x.mode & 07777) != (y.mode & 07777)) {
      what.add("mode");
    }
    if (x.uid != y.uid || x.gid != y.gid) {
      what.add("owner");
    }
    if (x.mtimeNs != y.mtimeNs && x.kind != Entry.HARDLINK) {
      what.add("mtime");
    }
    if (x.kind == Entry.LNK && y.kind == Entry.LNK && !Arrays.equals(x.linkTarget, y.linkTarget)) {
      what.add("target");
    }
    if (!sameXattrs(x.xattrs, y.xattrs)) {
      what.add("xattrs");
    }
    if ((x.kind == Entry.CHR || x.kind == Entry.BLK) && x.kind == y.kind && x.rdev != y.rdev) {
      what.add("device");
    }
    return what;
  }

  private static boolean sameXattrs(List<byte[][]> a, List<byte[][]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i)[0], b.get(i)[0]) || !Arrays.equals(a.get(i)[1], b.get(i)[1])) {
        return false;
      }
    }
    return true;
  }

  /** {@code path} as tree bytes: no leading or trailing {@code /}, no {@code .} or {@code ..} segment. */
  static byte[] normalize(String field, String path) {
    String p = path.replaceAll("^/+", "").replaceAll("/+$", "");
    for (String seg : p.split("/", -1)) {
      if (!p.isEmpty() && (seg.isEmpty() || seg.equals(".") || seg.equals(".."))) {
        throw InvalidSpecException.of(field, path, "a path inside the image, like etc/nginx or /var/lib/db"
            + " (no empty, '.' or '..' part)");
      }
    }
    return p.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code path} is {@code prefix} or below it (everything is below the empty prefix). */
  static boolean under(byte[] path, byte[] prefix) {
    if (prefix.length == 0) {
      return true;
    }
    if (path.length < prefix.length || !Arrays.equals(path, 0, prefix.length, prefix, 0, prefix.length)) {
      return false;
    }
    return path.length == prefix.length || path[prefix.length] == '/';
  }

  /** An image's tree read in walk order, remembering what hard links need. Not thread-safe. */
  private static final class Tree implements AutoCloseable {
    private final ImageStore.ImageReader reader;
    private final TreeFormat.Reader tree;
    private final Map<Long, Entry> linked = new HashMap<>();

    Tree(ImageStore store, ImageRef ref) throws IOException {
      this.reader = store.openImage(ref);
      if (reader.info().kind() != ImageKind.FILES) {
        reader.close();
        throw new SmcException(ErrorCode.INVALID_SPEC, "image " + ref + " is a disk image (" + reader.info().kind()
            + "), not a file tree: it holds blocks, not files");
      }
      this.tree = new TreeFormat.Reader(reader.tree());
    }

    @Nullable
    Entry next() throws IOException {
      long ord = tree.ordinal();
      Entry e = tree.next();
      if (e != null && e.kind == Entry.REG && e.nlink > 1) {
        linked.put(ord, e);
      }
      return e;
    }

    @Nullable
    ChunkId[] chunksOf(Entry e) {
      if (e.kind != Entry.HARDLINK) {
        return e.chunks;
      }
      Entry first = linked.get(e.linkTo);
      return first == null ? null : first.chunks;
    }

    ImageEntry describe(Entry e) {
      String target = null;
      if (e.kind == Entry.LNK && e.linkTarget != null) {
        target = PathBytes.printable(e.linkTarget);
      } else if (e.kind == Entry.HARDLINK) {
        Entry first = linked.get(e.linkTo);
        target = first == null ? null : PathBytes.printable(first.path);
      }
      return ImageEntry.of(e, target);
    }

    @Override
    public void close() throws IOException {
      try {
        tree.close();
      } finally {
        reader.close();
      }
    }
  }
}
