package dev.smc.transfer.files;

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

  @Override
  public SourceDescription describe() throws IOException {
    FileStore fs = Files.getFileStore(root);
    long total = fs.getTotalSpace();
    long used = total - fs.getUnallocatedSpace();
    SourceDescription.OsType os = Files.exists(root.resolve("etc/os-release")) || Files.exists(root.resolve("bin/sh"))
        ? SourceDescription.OsType.LINUX
        : Files.isDirectory(root.resolve("Windows")) ? SourceDescription.OsType.WINDOWS : SourceDescription.OsType.OTHER;
    String host;
    try {
      host = Files.exists(root.resolve("etc/hostname"))
          ? Files.readString(root.resolve("etc/hostname")).strip()
          : InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown";
    }
    SourceDescription.Partition part = new SourceDescription.Partition(1, 0, total, fs.type(),
        Optional.of(fs.type()), Optional.of(fs.name()), Optional.of(used));
    return new SourceDescription(os, host, List.of(new SourceDescription.Disk(root.toString(), total, used,
        List.of(part))));
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
