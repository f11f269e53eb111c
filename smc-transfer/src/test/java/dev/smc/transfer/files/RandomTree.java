package dev.smc.transfer.files;

import static dev.smc.transfer.files.Trees.POSIX;

import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random file tree on disk and seeded random changes to it: nested folders (some names
 * not UTF-8), text and binary files of 0-300 KiB, a few of ~3 MiB, duplicate content, symlinks
 * (some dangling), hard links, empty folders, a sparse file, odd modes, owners, xattrs and ns
 * mtimes. The same seed makes the same tree and the same changes. Not thread-safe.
 */
public final class RandomTree {
  private static final String[] WORDS = ("etc var lib log home srv opt data cache conf www user app bin share run "
      + "tmp mail spool backup db index static img").split(" ");
  private static final int[] MODES = {0644, 0600, 0640, 0755, 0700, 0444, 0666, 04755, 02755, 01777};
  private static final byte[] ODD = {'f', (byte) 0xff, (byte) 0xfe};

  private final byte[] root;
  private final SplittableRandom rnd;
  private int serial;
  private byte[] sharedContent;

  public RandomTree(Path root, long seed) {
    this.root = Trees.bytes(root);
    this.rnd = new SplittableRandom(seed);
  }

  // ------------------------------------------------------------------ the first tree

  /** Makes the tree in the (existing, empty) root folder. */
  public void create(int files) throws IOException {
    List<byte[]> dirs = new ArrayList<>();
    dirs.add(root);
    for (int i = 0; i < 14; i++) {
      byte[] parent = dirs.get(rnd.nextInt(dirs.size()));
      byte[] d = PathBytes.join(parent, name());
      POSIX.mkdir(d, 0755);
      dirs.add(d);
    }
    for (int i = 0; i < files; i++) {
      newFile(dirs.get(rnd.nextInt(dirs.size())));
    }
    for (int i = 0; i < 2; i++) {
      byte[] p = PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), name());
      Trees.write(p, i == 0 ? binary(3 << 20) : text(3 << 20));
    }
    List<byte[]> regular = list(Kind.FILE);
    for (int i = 0; i < 5; i++) {
      newSymlink(dirs.get(rnd.nextInt(dirs.size())), regular);
    }
    for (int i = 0; i < 3; i++) {
      byte[] target = regular.get(rnd.nextInt(regular.size()));
      POSIX.link(target, PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), name()));
    }
    for (int i = 0; i < 3; i++) {
      POSIX.mkdir(PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), name()), 0755);
    }
    byte[] sparse = PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), PathBytes.of("sparse-" + serial++ + ".img"));
    Trees.write(sparse, new byte[0]);
    Trees.writeAt(sparse, (1 << 20) + rnd.nextInt(1 << 20), binary(70_000));
    Trees.truncate(sparse, (8 << 20) + rnd.nextInt(1 << 20));
    for (byte[] f : list(Kind.FILE)) {
      if (rnd.nextInt(4) == 0) {
        POSIX.chmod(f, MODES[rnd.nextInt(MODES.length)]);
      }
      if (rnd.nextInt(6) == 0) {
        POSIX.lchown(f, 1000 + rnd.nextInt(5), 1000 + rnd.nextInt(5));
      }
      if (rnd.nextInt(6) == 0) {
        POSIX.setXattr(f, PathBytes.of("user.k" + rnd.nextInt(3)), binary(1 + rnd.nextInt(40)));
      }
      setRandomTime(f);
    }
    List<byte[]> all = list(Kind.DIR);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (rnd.nextInt(3) == 0) {
        setRandomTime(all.get(i));
      }
    }
  }

  // ------------------------------------------------------------------ changes

  /** Makes {@code n} random changes; returns what each was, for failure messages. */
  public List<String> mutate(int n) throws IOException {
    List<String> log = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      log.add(mutateOnce());
    }
    return log;
  }

  private String mutateOnce() throws IOException {
    List<byte[]> files = list(Kind.FILE);
    List<byte[]> dirs = list(Kind.DIR);
    List<byte[]> links = list(Kind.LINK);
    byte[] f = files.isEmpty() ? null : files.get(rnd.nextInt(files.size()));
    byte[] d = dirs.get(rnd.nextInt(dirs.size()));
    int what = rnd.nextInt(15);
    if (f == null && (what < 9 || what == 14)) {
      what = 9;
    }
    switch (what) {
      case 0, 1 -> {
        long size = POSIX.lstat(f).size();
        if (size == 0) {
          Trees.write(f, text(100));
          return "filled empty " + show(f);
        }
        long off = rnd.nextLong(size);
        int len = (int) Math.min(size - off, 1 + rnd.nextInt(20_000));
        Trees.writeAt(f, off, binary(len));
        return "edited " + len + " bytes at " + off + " of " + show(f);
      }
      case 2 -> {
        Stat before = POSIX.lstat(f);
        if (before.size() == 0) {
          return "left empty " + show(f) + " alone";
        }
        long off = rnd.nextLong(before.size());
        int len = (int) Math.min(before.size() - off, 1 + rnd.nextInt(5000));
        Trees.writeAt(f, off, binary(len));
        POSIX.setTimes(f, before.atimeNs(), before.mtimeNs(), true);
        return "edited " + len + " bytes at " + off + " of " + show(f) + " keeping size and mtime";
      }
      case 3 -> {
        int len = 1 + rnd.nextInt(50_000);
        Trees.writeAt(f, POSIX.lstat(f).size(), rnd.nextBoolean() ? text(len) : binary(len));
        return "appended " + len + " bytes to " + show(f);
      }
      case 4 -> {
        long size = POSIX.lstat(f).size();
        long to = size == 0 ? 0 : rnd.nextLong(size);
        Trees.truncate(f, to);
        return "truncated " + show(f) + " from " + size + " to " + to;
      }
      case 5 -> {
        POSIX.unlink(f);
        return "deleted " + show(f);
      }
      case 6 -> {
        byte[] to = PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), name());
        POSIX.rename(f, to);
        return "renamed " + show(f) + " to " + show(to);
      }
      case 7 -> {
        int mode = MODES[rnd.nextInt(MODES.length)];
        POSIX.chmod(f, mode);
        return "chmod " + Integer.toOctalString(mode) + " " + show(f);
      }
      case 8 -> {
        byte[] to = PathBytes.join(dirs.get(rnd.nextInt(dirs.size())), name());
        POSIX.link(f, to);
        return "hard-linked " + show(f) + " as " + show(to);
      }
      case 9 -> {
        return "added " + show(newFile(d));
      }
      case 10 -> {
        if (links.isEmpty()) {
          return "added symlink " + show(newSymlink(d, files));
        }
        byte[] l = links.get(rnd.nextInt(links.size()));
        POSIX.unlink(l);
        byte[] target = rnd.nextBoolean() || files.isEmpty() ? PathBytes.of("/gone/" + serial++)
            : files.get(rnd.nextInt(files.size())).clone();
        POSIX.symlink(target, l);
        return "pointed symlink " + show(l) + " at " + show(target);
      }
      case 11 -> {
        if (f != null && rnd.nextBoolean()) {
          POSIX.lchown(f, 2000 + rnd.nextInt(3), 2000 + rnd.nextInt(3));
          return "chown " + show(f);
        }
        POSIX.setXattr(d, PathBytes.of("user.d" + rnd.nextInt(2)), binary(1 + rnd.nextInt(30)));
        return "set an xattr of folder " + show(d);
      }
      case 12 -> {
        if (d.length == root.length || rnd.nextInt(3) > 0) {
          byte[] nd = PathBytes.join(d, name());
          POSIX.mkdir(nd, 0750);
          return "made empty folder " + show(nd);
        }
        Trees.remove(d);
        return "removed folder " + show(d);
      }
      case 13 -> {
        if (d.length == root.length) {
          return "left the root alone";
        }
        byte[] to = PathBytes.join(parentOf(d), name());
        POSIX.rename(d, to);
        return "renamed folder " + show(d) + " to " + show(to);
      }
      default -> {
        long size = POSIX.lstat(f).size();
        long off = size + (1 << 20) + rnd.nextInt(1 << 20);
        Trees.writeAt(f, off, binary(1 + rnd.nextInt(10_000)));
        return "wrote past the end of " + show(f) + " leaving a hole at " + size;
      }
    }
  }

  // ------------------------------------------------------------------ pieces

  private byte[] newFile(byte[] dir) throws IOException {
    byte[] p = PathBytes.join(dir, name());
    int kind = rnd.nextInt(10);
    byte[] content;
    if (kind == 0) {
      if (sharedContent == null) {
        sharedContent = binary(64 * 1024 * (1 + rnd.nextInt(3)));
      }
      content = sharedContent; // the same chunks under several names
    } else if (kind == 1) {
      content = new byte[rnd.nextInt(4)];
    } else {
      int size = rnd.nextInt(5) == 0 ? rnd.nextInt(300 * 1024) : rnd.nextInt(24 * 1024);
      content = rnd.nextBoolean() ? text(size) : binary(size);
      if (size > 70_000 && rnd.nextInt(3) == 0) {
        java.util.Arrays.fill(content, 0, 65_536, (byte) 0); // an all-zero chunk in a non-sparse file
      }
    }
    Trees.write(p, content);
    return p;
  }

  private byte[] newSymlink(byte[] dir, List<byte[]> files) throws IOException {
    byte[] l = PathBytes.join(dir, name());
    byte[] target = rnd.nextInt(3) == 0 || files.isEmpty() ? PathBytes.of("../no/such/file-" + serial++)
        : files.get(rnd.nextInt(files.size())).clone();
    POSIX.symlink(target, l);
    if (rnd.nextInt(3) == 0) {
      POSIX.lchown(l, 1234, 4321);
    }
    return l;
  }

  private byte[] parentOf(byte[] p) {
    for (int i = p.length - 1; i > 0; i--) {
      if (p[i] == '/') {
        return java.util.Arrays.copyOf(p, i);
      }
    }
    return root;
  }

  private void setRandomTime(byte[] p) throws PosixException {
    long ns = 1_000_000_000L * (1_500_000_000L + rnd.nextInt(200_000_000)) + rnd.nextInt(1_000_000_000);
    POSIX.setTimes(p, ns, ns, true);
  }

  /** A new name: words, sometimes with a space, a UTF-8 letter or bytes that are not UTF-8. */
  private byte[] name() {
    String base = WORDS[rnd.nextInt(WORDS.length)] + "-" + serial++;
    return switch (rnd.nextInt(12)) {
      case 0 -> concat(ODD, PathBytes.of(base));
      case 1 -> PathBytes.of("with space " + base);
      case 2 -> PathBytes.of("ünïcödé-" + base);
      case 3 -> PathBytes.of(base + ".tmp.txt");
      default -> PathBytes.of(base);
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private byte[] binary(int n) {
    return randomBytes(rnd, n);
  }

  /** {@code n} bytes from {@code rnd}, the same for the same seed. */
  public static byte[] randomBytes(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = rnd.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) {
        b[i + k] = (byte) (v >>> (8 * k));
      }
    }
    return b;
  }

  private byte[] text(int n) {
    StringBuilder sb = new StringBuilder(n + 16);
    while (sb.length() < n) {
      sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(rnd.nextInt(10) == 0 ? '\n' : ' ');
    }
    return sb.substring(0, n).getBytes(StandardCharsets.US_ASCII);
  }

  /** A path relative to the root, for messages. */
  private String show(byte[] p) {
    if (p.length > root.length && java.util.Arrays.equals(p, 0, root.length, root, 0, root.length)) {
      return PathBytes.printable(java.util.Arrays.copyOfRange(p, root.length + 1, p.length));
    }
    return PathBytes.printable(p);
  }

  private enum Kind { FILE, DIR, LINK }

  /** Every entry of one kind below the root (folders include the root), in walk order. */
  private List<byte[]> list(Kind kind) throws IOException {
    List<byte[]> out = new ArrayList<>();
    collect(root, kind, out);
    return out;
  }

  private void collect(byte[] dir, Kind kind, List<byte[]> out) throws IOException {
    if (kind == Kind.DIR) {
      out.add(dir);
    }
    List<DirEntry> entries = POSIX.readDir(dir);
    entries.sort((a, b) -> java.util.Arrays.compareUnsigned(a.name(), b.name()));
    for (DirEntry e : entries) {
      byte[] p = PathBytes.join(dir, e.name());
      Stat st = POSIX.lstat(p);
      if (st.isDirectory()) {
        collect(p, kind, out);
      } else if (kind == Kind.FILE && st.isRegular() || kind == Kind.LINK && st.isSymlink()) {
        out.add(p);
      }
    }
  }
}
