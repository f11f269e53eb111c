package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.ImageRef;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.DirEntry;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers for real trees on disk, with byte-exact names: write and change files, snapshot a
 * tree as it is, restore an image and compare it with a snapshot.
 */
public final class Trees {
  public static final Posix POSIX = Posix.get();

  private Trees() {}

  public static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] join(byte[] dir, String rel) {
    return PathBytes.join(dir, PathBytes.of(rel));
  }

  /** Creates (or truncates) a file with {@code content} and mode 0644. */
  public static void write(byte[] path, byte[] content) throws IOException {
    int fd = POSIX.open(path, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_TRUNC | Posix.O_NOFOLLOW | Posix.O_CLOEXEC,
        0644);
    try {
      writeFully(fd, content, 0);
    } finally {
      POSIX.close(fd);
    }
  }

  /** Writes {@code content} at {@code offset} of an existing file, keeping the rest. */
  public static void writeAt(byte[] path, long offset, byte[] content) throws IOException {
    int fd = POSIX.open(path, Posix.O_WRONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
    try {
      writeFully(fd, content, offset);
    } finally {
      POSIX.close(fd);
    }
  }

  private static void writeFully(int fd, byte[] content, long offset) throws IOException {
    if (content.length == 0) {
      return;
    }
    ByteBuffer b = ByteBuffer.allocateDirect(content.length);
    b.put(content).flip();
    POSIX.pwrite(fd, b, offset);
  }

  public static void truncate(byte[] path, long size) throws IOException {
    int fd = POSIX.open(path, Posix.O_WRONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
    try {
      POSIX.ftruncate(fd, size);
    } finally {
      POSIX.close(fd);
    }
  }

  public static byte[] read(byte[] path) throws IOException {
    Stat st = POSIX.lstat(path);
    int fd = POSIX.open(path, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
    try {
      ByteBuffer b = ByteBuffer.allocateDirect((int) st.size());
      while (b.hasRemaining() && POSIX.pread(fd, b, b.position()) > 0) {
        // read on
      }
      byte[] out = new byte[b.position()];
      b.flip().get(out);
      return out;
    } finally {
      POSIX.close(fd);
    }
  }

  /** Creates a folder and every missing parent (mode 0755 before the umask). */
  public static void mkdirs(byte[] path) throws IOException {
    try {
      if (POSIX.lstat(path).isDirectory()) {
        return;
      }
    } catch (PosixException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
    int slash = lastSlash(path);
    if (slash > 0) {
      mkdirs(java.util.Arrays.copyOf(path, slash));
    }
    POSIX.mkdir(path, 0755);
  }

  private static int lastSlash(byte[] p) {
    for (int i = p.length - 1; i >= 0; i--) {
      if (p[i] == '/') {
        return i;
      }
    }
    return -1;
  }

  /** Removes a file, link or whole folder. */
  public static void remove(byte[] path) throws IOException {
    Stat st = POSIX.lstat(path);
    if (st.isDirectory()) {
      for (DirEntry d : POSIX.readDir(path)) {
        remove(PathBytes.join(path, d.name()));
      }
      POSIX.rmdir(path);
    } else {
      POSIX.unlink(path);
    }
  }

  /** Bytes of regular files below {@code dir} (their sizes, not their allocation). */
  public static long fileBytes(Path dir) throws IOException {
    return fileBytes(bytes(dir));
  }

  private static long fileBytes(byte[] dir) throws IOException {
    long n = 0;
    for (DirEntry d : POSIX.readDir(dir)) {
      byte[] p = PathBytes.join(dir, d.name());
      Stat st = POSIX.lstat(p);
      n += st.isDirectory() ? fileBytes(p) : st.isRegular() ? st.size() : 0;
    }
    return n;
  }

  /**
   * Copies {@code src} to the new folder {@code dst} exactly as it is now (content with holes,
   * modes, owners, ns times, links, hard links, special files, xattrs), and proves the copy equal.
   */
  public static void snapshot(Path src, Path dst) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("cp", "-a", "--sparse=always", src.toString(), dst.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("cp -a " + src + " " + dst + " failed: " + out);
    }
    List<String> d = TreeCompare.differences(bytes(src), bytes(dst));
    assertEquals(List.of(), d, "cp -a made an unfaithful snapshot of " + src);
  }

  /** Restores {@code ref} into the new folder {@code target}; returns its differences from {@code expected}. */
  public static List<String> restoreAndCompare(ImageStore store, ImageRef ref, Path target, Path expected)
      throws IOException {
    FileRestore.Report r = new FileRestore(2).restore(store, ref, target);
    assertEquals(List.of(), r.warnings(), "warnings restoring " + ref);
    return TreeCompare.differences(bytes(expected), bytes(target));
  }
}
