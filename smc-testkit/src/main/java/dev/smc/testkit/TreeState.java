package dev.smc.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything a restore must give back of a tree, entry by entry, as text to compare: type, mode, owner, size,
 * modification time to the nanosecond, symlink target, content hash, which entries are hard links of one another,
 * and user extended attributes. Folder times are left out (they change when a restore fills the folder).
 */
public final class TreeState {
  private TreeState() {}

  /** Relative path ({@code .} for the root) to the entry's state. */
  public static Map<String, String> of(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Map<Object, String> firstOfInode = new HashMap<>();
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.sorted().toList();
    }
    for (Path p : all) {
      String rel = p.equals(root) ? "." : root.relativize(p).toString();
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,ino,dev,nlink,lastModifiedTime",
          LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      StringBuilder b = new StringBuilder(String.format("mode=%o uid=%s gid=%s", mode, a.get("uid"), a.get("gid")));
      if (Files.isSymbolicLink(p)) {
        b.append(" link=").append(Files.readSymbolicLink(p));
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        FileTime t = (FileTime) a.get("lastModifiedTime");
        b.append(" size=").append(a.get("size")).append(" mtime=").append(t.toInstant()).append(" sha256=")
            .append(sha256(p));
        if ((Integer) a.get("nlink") > 1) {
          String first = firstOfInode.putIfAbsent(List.of(a.get("dev"), a.get("ino")), rel);
          b.append(" hardlink=").append(first == null ? rel : first);
        }
      }
      if (!Files.isSymbolicLink(p)) {
        xattrs(p, b);
      }
      out.put(rel, b.toString());
    }
    return out;
  }

  private static void xattrs(Path p, StringBuilder b) throws IOException {
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (v == null) {
      return;
    }
    for (String name : new java.util.TreeSet<>(v.list())) {
      ByteBuffer value = ByteBuffer.allocate(v.size(name));
      v.read(name, value);
      b.append(" xattr.").append(name).append('=').append(HexFormat.of().formatHex(value.array(), 0, value.position()));
    }
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
