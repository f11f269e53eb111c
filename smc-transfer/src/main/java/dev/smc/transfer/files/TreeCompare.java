package dev.smc.transfer.files;

import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two trees entry by entry: type, mode, owner, size, content, mtime (ns), symlink
 * targets, hard-link groups and extended attributes. Used to verify a restore. Not thread-safe.
 */
public final class TreeCompare {
  private final Posix posix = Posix.get();
  private final List<String> differences = new ArrayList<>();
  private final Map<Long, String> linksA = new HashMap<>();
  private final Map<Long, String> linksB = new HashMap<>();
  private final boolean compareDirTimes;
  private final Excludes excludes;
  private static final int MAX = 50;

  private TreeCompare(boolean compareDirTimes, Excludes excludes) {
    this.compareDirTimes = compareDirTimes;
    this.excludes = excludes;
  }

  /** Every difference between the trees at {@code a} and {@code b} (at most 50), empty when equal. */
  public static List<String> differences(byte[] a, byte[] b) throws IOException {
    return differences(a, b, Excludes.NONE);
  }

  /** As {@link #differences(byte[], byte[])}, leaving out what {@code excludes} excludes in {@code a}. */
  public static List<String> differences(byte[] a, byte[] b, Excludes excludes) throws IOException {
    TreeCompare c = new TreeCompare(true, excludes);
    c.compare(new byte[0], a, b);
    return c.differences;
  }

  private void diff(byte[] rel, String what) {
    if (differences.size() < MAX) {
      differences.add((rel.length == 0 ? "/" : PathBytes.printable(rel)) + ": " + what);
    }
  }

  private void compare(byte[] rel, byte[] a, byte[] b) throws IOException {
    Stat sa = posix.lstat(a);
    Stat sb;
    try {
      sb = posix.lstat(b);
    } catch (PosixException e) {
      diff(rel, "missing in the copy");
      return;
    }
    if (sa.type() != sb.type()) {
      diff(rel, "type " + Integer.toOctalString(sa.type()) + " vs " + Integer.toOctalString(sb.type()));
      return;
    }
    if (sa.mode() != sb.mode()) {
      diff(rel, "mode " + Integer.toOctalString(sa.mode()) + " vs " + Integer.toOctalString(sb.mode()));
    }
    if (sa.uid() != sb.uid() || sa.gid() != sb.gid()) {
      diff(rel, "owner " + sa.uid() + ":" + sa.gid() + " vs " + sb.uid() + ":" + sb.gid());
    }
    if (!sa.isSymlink() && (!sa.isDirectory() || compareDirTimes) && sa.mtimeNs() != sb.mtimeNs()) {
      diff(rel, "mtime " + sa.mtimeNs() + " vs " + sb.mtimeNs());
    }
    if (!sa.isSymlink() && !xattrs(a).equals(xattrs(b))) {
      diff(rel, "extended attributes differ");
    }
    if (sa.isRegular()) {
      if (sa.nlink() > 1 || sb.nlink() > 1) {
        String pa = linksA.putIfAbsent(sa.ino(), PathBytes.printable(rel));
        String pb = linksB.putIfAbsent(sb.ino(), PathBytes.printable(rel));
        if (!String.valueOf(pa).equals(String.valueOf(pb))) {
          diff(rel, "hard link to " + pa + " vs " + pb);
        }
      }
      if (sa.size() != sb.size()) {
        diff(rel, "size " + sa.size() + " vs " + sb.size());
      } else if (!Arrays.equals(digest(a), digest(b))) {
        diff(rel, "content differs");
      }
    } else if (sa.isSymlink()) {
      if (!Arrays.equals(posix.readlink(a), posix.readlink(b))) {
        diff(rel, "link target differs");
      }
    } else if (sa.isCharDevice() || sa.isBlockDevice()) {
      if (sa.rdev() != sb.rdev()) {
        diff(rel, "device number differs");
      }
    } else if (sa.isDirectory()) {
      TreeMap<String, byte[]> na = names(a, rel, true);
      TreeMap<String, byte[]> nb = names(b, rel, false);
      for (var e : nb.entrySet()) {
        if (!na.containsKey(e.getKey())) {
          diff(PathBytes.join(rel, e.getValue()), "only in the copy");
        }
      }
      for (var e : na.entrySet()) {
        byte[] name = e.getValue();
        byte[] crel = rel.length == 0 ? name : PathBytes.join(rel, name);
        compare(crel, PathBytes.join(a, name), PathBytes.join(b, name));
      }
    }
  }

  private TreeMap<String, byte[]> names(byte[] dir, byte[] rel, boolean source) throws PosixException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    for (DirEntry d : posix.readDir(dir)) {
      byte[] crel = rel.length == 0 ? d.name() : PathBytes.join(rel, d.name());
      if (source && !excludes.isEmpty()) {
        boolean isDir = posix.lstat(PathBytes.join(dir, d.name())).isDirectory();
        if (excludes.excludes(crel, isDir)) {
          continue;
        }
      }
      out.put(java.util.HexFormat.of().formatHex(d.name()), d.name());
    }
    return out;
  }

  private Map<String, String> xattrs(byte[] p) throws PosixException {
    Map<String, String> m = new TreeMap<>();
    for (byte[] n : posix.listXattrs(p)) {
      m.put(PathBytes.printable(n), java.util.HexFormat.of().formatHex(posix.getXattr(p, n)));
    }
    return m;
  }

  private byte[] digest(byte[] p) throws IOException {
    MessageDigest md = dev.smc.transfer.repo.Hashing.newSha256();
    int fd = posix.open(p, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
    try {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      long off = 0;
      while (true) {
        buf.clear();
        int n = posix.pread(fd, buf, off);
        if (n <= 0) {
          break;
        }
        off += n;
        buf.flip();
        md.update(buf);
      }
    } finally {
      posix.close(fd);
    }
    return md.digest();
  }
}
