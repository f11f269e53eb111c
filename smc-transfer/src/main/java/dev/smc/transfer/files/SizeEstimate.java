package dev.smc.transfer.files;

import dev.smc.spi.ImageInfo;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A cheap first guess at a tree's bytes, so a cycle's progress has a total before its walk has counted: the parent
 * image's size (what the tree held last cycle), else the bytes in use on the file system that holds the root (what
 * a server's root holds, more than a folder of it holds). Stateless.
 */
final class SizeEstimate {
  private SizeEstimate() {}

  /** The estimate for the tree at {@code root}, or empty when the file system cannot say. */
  static OptionalLong of(Optional<ImageInfo> parent, byte[] root) {
    if (parent.isPresent() && parent.get().properties().containsKey("bytes")) {
      return OptionalLong.of(parent.get().longProperty("bytes"));
    }
    try {
      FileStore fs = Files.getFileStore(Path.of(new String(root, jnuCharset())));
      return OptionalLong.of(Math.max(0, fs.getTotalSpace() - fs.getUnallocatedSpace()));
    } catch (IOException | InvalidPathException | SecurityException e) {
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
