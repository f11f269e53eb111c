package dev.smc.transfer.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A connected Unix domain socket with the face of a {@link Socket}, so that the receiver's HTTP
 * code serves and sends over it as over TLS: reads and writes that time out after
 * {@link #setSoTimeout} without progress (a channel has no timeouts of its own, so it is
 * non-blocking and waited on with a selector), and a {@link #close} from another thread that
 * wakes them. For a receiver and its agents on one machine, where the socket file's folder and
 * {@link #peer} decide who may connect and there is no network to protect bytes from. Reads and
 * writes may come from two threads, one each.
 */
final class UnixSocket extends Socket {
  private final SocketChannel ch;
  private final Selector readable;
  private final Selector writable;
  private final String name;
  private final InputStream in = new Input();
  private final OutputStream out = new Out();
  private volatile int timeoutMs;
  private volatile boolean outputShut;

  private UnixSocket(SocketChannel ch, String name) throws IOException {
    this.ch = ch;
    this.name = name;
    ch.configureBlocking(false);
    Selector r = Selector.open();
    Selector w;
    try {
      w = Selector.open();
    } catch (IOException e) {
      r.close();
      throw e;
    }
    this.readable = r;
    this.writable = w;
    ch.register(readable, SelectionKey.OP_READ);
    ch.register(writable, SelectionKey.OP_WRITE);
  }

  /** Wraps a channel a server accepted; closes it when that fails. */
  static UnixSocket accepted(SocketChannel ch, String name) throws IOException {
    try {
      return new UnixSocket(ch, name);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Connects to the socket file {@code path}. */
  static UnixSocket connect(Path path) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return accepted(ch, path.toString());
  }

  /** The user of the process at the other end (the kernel's word, SO_PEERCRED). */
  UserPrincipal peer() throws IOException {
    UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
    return p.user();
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  @Override
  public void setSoTimeout(int timeout) {
    timeoutMs = timeout;
  }

  @Override
  public int getSoTimeout() {
    return timeoutMs;
  }

  /** Nothing to set: Unix sockets have no Nagle delay. */
  @Override
  public void setTcpNoDelay(boolean on) {}

  /** Nothing to set: a Unix socket's close never lingers. */
  @Override
  public void setSoLinger(boolean on, int linger) {}

  @Override
  public void shutdownOutput() throws IOException {
    outputShut = true;
    ch.shutdownOutput();
  }

  @Override
  public void shutdownInput() throws IOException {
    ch.shutdownInput();
  }

  @Override
  public boolean isConnected() {
    return ch.isConnected();
  }

  @Override
  public boolean isBound() {
    return true;
  }

  @Override
  public boolean isClosed() {
    return !ch.isOpen();
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShut;
  }

  /** For the receiver's per-address limits: every local peer counts as the loopback address. */
  @Override
  public InetAddress getInetAddress() {
    return InetAddress.getLoopbackAddress();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return UnixDomainSocketAddress.of(name);
  }

  @Override
  public void close() throws IOException {
    try {
      ch.close();
    } finally {
      readable.wakeup();
      writable.wakeup();
      readable.close();
      writable.close();
    }
  }

  @Override
  public String toString() {
    return "unix:" + name;
  }

  /** Waits until {@code sel}'s one channel is ready, at most the timeout; throws when it is not. */
  private void await(Selector sel, String what) throws IOException {
    int t = timeoutMs;
    long deadline = t == 0 ? Long.MAX_VALUE : System.nanoTime() + t * 1_000_000L;
    while (true) {
      if (!ch.isOpen()) {
        throw new SocketException("socket closed");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException(what + " made no progress within " + t + " ms");
      }
      int n;
      try {
        n = sel.select(deadline == Long.MAX_VALUE ? 0 : Math.max(1, left / 1_000_000));
      } catch (java.nio.channels.ClosedSelectorException e) {
        throw new SocketException("socket closed");
      }
      if (n > 0) {
        sel.selectedKeys().clear();
        return;
      }
    }
  }

  /** The socket's input stream; {@link GrowableStreams.In} reads buffers through {@link #socket}. */
  final class Input extends InputStream {
    UnixSocket socket() {
      return UnixSocket.this;
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      int n = read(b, 0, 1);
      return n < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return len == 0 ? 0 : UnixSocket.this.read(ByteBuffer.wrap(b, off, len));
    }
  }

  /**
   * Reads into {@code dst} up to its limit: at least one byte, -1 at the end. From a direct buffer
   * the kernel copies straight into it, where a byte array goes through a buffer of the JDK's.
   */
  int read(ByteBuffer dst) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    while (true) {
      int n = ch.read(dst);
      if (n != 0) {
        return n;
      }
      await(readable, "a read");
    }
  }

  /** Writes all of {@code src}'s remaining bytes (see {@link #read(ByteBuffer)}). */
  void write(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (ch.write(src) == 0) {
        await(writable, "a write");
      }
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      UnixSocket.this.write(ByteBuffer.wrap(b, off, len));
    }
  }
}
