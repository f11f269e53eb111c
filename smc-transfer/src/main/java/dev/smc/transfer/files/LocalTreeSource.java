package dev.smc.transfer.files;

import dev.smc.transfer.source.ServerDescriber;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A mounted directory tree on this machine (a server's root, a data disk's mount point, or a
 * snapshot of one), read live. Immutable and thread-safe.
 */
public final class LocalTreeSource implements MigrationSource {
  private final Path root;

  public LocalTreeSource(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public String id() {
    return "file:" + root;
  }

  /** A folder: one file system's worth of files, no disks (see {@link ServerDescriber#ofFolder}). */
  @Override
  public SourceDescription describe() throws IOException {
    return ServerDescriber.ofFolder(root);
  }

  @Override
  public SourceSnapshot open() {
    byte[] bytes = root.toString().getBytes(jnuCharset());
    return () -> bytes.clone();
  }

  private static java.nio.charset.Charset jnuCharset() {
    String enc = System.getProperty("sun.jnu.encoding");
    try {
      return enc == null ? java.nio.charset.Charset.defaultCharset() : java.nio.charset.Charset.forName(enc);
    } catch (RuntimeException e) {
      return java.nio.charset.Charset.defaultCharset();
    }
  }
}
