package dev.smc.transfer.remote;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import javax.annotation.Nullable;

/**
 * A receiver's Unix socket, for agents on its own machine: the bytes never cross a network, so no
 * TLS is needed, and the kernel says who connects. The socket file is made mode 0600 (in a folder
 * the caller keeps private), and a connection is served only when the process at the other end
 * runs as the socket's owner or as root ({@code SO_PEERCRED}); every request still presents its
 * token, as over HTTPS. A socket file left by a receiver that died is replaced; one that a live
 * receiver answers on is not.
 */
final class UnixListener implements Closeable {
  /** The longest socket path the kernel takes ({@code sun_path}, less its terminating zero). */
  static final int MAX_PATH_BYTES = 107;

  private final ServerSocketChannel server;
  private final Path path;
  private final UserPrincipal owner;

  private UnixListener(ServerSocketChannel server, Path path, UserPrincipal owner) {
    this.server = server;
    this.path = path;
    this.owner = owner;
  }

  /** Whether {@code path} is short enough to be a Unix socket's. */
  static boolean fits(Path path) {
    return path.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
  }

  static UnixListener bind(Path path) throws IOException {
    Path p = path.toAbsolutePath();
    if (!fits(p)) {
      throw new IOException("unix socket " + p + ": longer than the " + MAX_PATH_BYTES + " bytes a socket path may have");
    }
    if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      if (answers(p)) {
        throw new FileAlreadyExistsException(p.toString(), null, "another receiver listens on this socket");
      }
      Files.delete(p); // left by a receiver that is gone
    }
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      s.bind(UnixDomainSocketAddress.of(p), 1024);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      return new UnixListener(s, p, Files.getOwner(p));
    } catch (IOException | RuntimeException e) {
      s.close();
      Files.deleteIfExists(p);
      throw e;
    }
  }

  private static boolean answers(Path p) {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(p));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  Path path() {
    return path;
  }

  /**
   * The next connection; null when it came from a process of another user (closed at once and
   * logged, without reading a byte of it).
   */
  @Nullable
  UnixSocket accept() throws IOException {
    SocketChannel ch = server.accept();
    UnixSocket s = UnixSocket.accepted(ch, path.toString());
    UserPrincipal peer;
    try {
      peer = s.peer();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    if (!peer.equals(owner) && !peer.getName().equals("root")) {
      Receiver.LOG.warn("{}: refused a connection from user {} (only {} and root may connect)", path, peer.getName(),
          owner.getName());
      s.close();
      return null;
    }
    return s;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      Receiver.LOG.debug("{}: not removed: {}", path, e.toString());
    }
  }
}
