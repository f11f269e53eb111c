package dev.smc.transfer.files;

import dev.smc.spi.ImageInfo;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A cheap first guess at a tree's bytes, so a cycle's progress has a total before its walk has counted: the parent
 * image's size (what the tree held last cycle), else, when the root is a file system's root (a server's {@code /}
 * or a mount point), the bytes in use on that file system. A folder inside a file system gets no guess (the file
 * system's use says nothing of it: a few files in {@code /tmp} would show tens of GiB); its total comes with the
 * walk's count. Stateless.
 */
final class SizeEstimate {
  private SizeEstimate() {}

  /** The estimate for the tree at {@code root}, or empty when the file system cannot say. */
  static OptionalLong of(Optional<ImageInfo> parent, byte[] root) {
    if (parent.isPresent() && parent.get().properties().containsKey("bytes")) {
      return OptionalLong.of(parent.get().longProperty("bytes"));
    }
    try {
      Path p = Path.of(new String(root, jnuCharset())).toAbsolutePath().normalize();
      Path up = p.getParent();
      if (up != null && Files.getAttribute(up, "unix:dev").equals(Files.getAttribute(p, "unix:dev"))) {
        return OptionalLong.empty();
      }
      FileStore fs = Files.getFileStore(p);
      return OptionalLong.of(Math.max(0, fs.getTotalSpace() - fs.getUnallocatedSpace()));
    } catch (IOException | SecurityException | UnsupportedOperationException
        | IllegalArgumentException e) {
      return OptionalLong.empty();
    }
  }

  private static Charset jnuCharset() {
    String enc = System.getProperty("sun.jnu.encoding");
    try {
      return enc == null ? Charset.defaultCharset() : Charset.forName(enc);
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}
