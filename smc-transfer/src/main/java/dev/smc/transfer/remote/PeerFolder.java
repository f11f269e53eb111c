package dev.smc.transfer.remote;

import dev.smc.transfer.backend.LocalFolderBackend;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.annotation.Nullable;

/**
 * The repository folder of a receiver on this machine, as the receiver names it to a peer on its
 * Unix socket (the info line {@code folder DEV INO DIR}): such a peer runs as the receiver's user and
 * could write the folder itself, so rather than copy every byte through the socket twice it reads the
 * objects named by their content (packs, index files: never replaced) from the folder and writes its
 * packs into the folder's {@code tmp/}, for the receiver to check and place. Only when this process
 * sees that very folder (the same device and inode, as a bind mount keeps them) and may write there.
 */
final class PeerFolder implements Closeable {
  private final LocalFolderBackend reads;
  private final Path tmp;
  /** Whether packs are staged here (until a write here fails). */
  private volatile boolean staging = true;
  /** Whether the folder is used at all (until the receiver finds no file staged here: not one folder after all). */
  private volatile boolean usable = true;

  private PeerFolder(LocalFolderBackend reads, Path tmp) {
    this.reads = reads;
    this.tmp = tmp;
  }

  /** The info line's value for the repository folder {@code dir}. */
  static String describe(Path dir) throws IOException {
    return identity(dir) + " " + dir;
  }

  /** The folder an info line's value names, if this process sees that very folder and may write its tmp/; else null. */
  @Nullable
  static PeerFolder of(String value) {
    String[] f = value.trim().split(" ", 3);
    if (f.length != 3) {
      return null;
    }
    try {
      Path dir = Path.of(f[2]);
      Path tmp = dir.resolve("tmp");
      if (!(f[0] + " " + f[1]).equals(identity(dir)) || !Files.isDirectory(tmp) || !Files.isWritable(tmp)) {
        return null;
      }
      return new PeerFolder(LocalFolderBackend.openWithoutSync(dir), tmp);
    } catch (IOException | RuntimeException e) {
      return null; // another machine's or container's path: everything through the socket
    }
  }

  private static String identity(Path dir) throws IOException {
    Path real = dir.toRealPath();
    return Files.getAttribute(real, "unix:dev") + " " + Files.getAttribute(real, "unix:ino");
  }

  /** The folder to read {@code name} from directly, or null when it goes through the receiver. */
  @Nullable
  LocalFolderBackend reader(String name) {
    return usable && (name.startsWith("data/") || name.startsWith("index/")) ? reads : null;
  }

  /** Whether packs are to be staged here. */
  boolean stages() {
    return usable && staging;
  }

  /**
   * Writes {@code data} as a new temporary file of the folder's tmp/ (see {@link LocalFolderBackend#writeTemporary});
   * null, and no more staging from then on, when the folder takes no file (gone, full).
   */
  @Nullable
  Path stage(ByteBuffer data) {
    try {
      return LocalFolderBackend.writeTemporary(tmp, data);
    } catch (IOException e) {
      staging = false;
      return null;
    }
  }

  /** The receiver found no file staged here: it is not this folder after all; nothing is read or staged here again. */
  void notTheReceivers() {
    usable = false;
  }

  @Override
  public void close() throws IOException {
    reads.close();
  }
}
