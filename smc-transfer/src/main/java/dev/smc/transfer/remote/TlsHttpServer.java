package dev.smc.transfer.remote;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small HTTP/1.1 server over blocking TLS sockets, one thread a connection: what the receiver
 * needs and no more (Content-Length bodies, keep-alive, no chunked requests). Blocking sockets move
 * bytes through the JDK's TLS about twice as fast as the JDK's own HttpsServer (an SSLEngine over
 * NIO) on this hardware, and give every connection plain timeouts.
 *
 * <p>Strangers cost little and not for long ({@link ConnectionLimits}, enforced by a
 * {@link ConnectionGate}): the accept loop never waits; a connection over the caps for
 * unauthenticated connections is closed at once; one that has not been authenticated
 * ({@link Exchange#authenticate}) by its head deadline is closed however slowly it keeps sending;
 * until it is authenticated it has 2 KiB buffers and a thread with a {@value #STACK_KIB} KiB stack.
 * An authenticated connection gets 64 KiB buffers and is dropped when it makes no progress for the
 * idle timeout. Heads are read by {@link RequestHead}; a refused head gets its status and a one-line
 * reason, then the connection closes.
 */
final class TlsHttpServer implements Closeable {
  static final int STACK_KIB = 256;
  /** Buffers of a connection nobody has authenticated: a TLS handshake and a request head fit. */
  private static final int SMALL = 2048;
  private static final int LARGE = 64 * 1024;
  /** What is read and dropped, at most, after a refused head, so the refusal is not lost to a reset. */
  private static final int DRAIN = 64 * 1024;

  /** Serves one request; throwing leaves the connection closed after an error response if none was sent. */
  @FunctionalInterface
  interface Handler {
    void handle(Exchange ex) throws IOException;
  }

  private final ServerSocket server;
  @Nullable
  private final UnixListener unix;
  private final SSLSocketFactory tls;
  private final Handler handler;
  private final ConnectionLimits limits;
  private final ConnectionGate gate;
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile boolean closing;

  /**
   * Listens on {@code listen} over TLS and, when {@code unixSocket} is given, on that Unix socket
   * too (plain HTTP, for agents of this user on this machine; see {@link UnixListener}).
   */
  TlsHttpServer(SSLContext ctx, InetSocketAddress listen, @Nullable Path unixSocket, ConnectionLimits limits,
      Handler handler) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(listen, 1024);
    this.server = s;
    try {
      this.unix = unixSocket == null ? null : UnixListener.bind(unixSocket);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    this.tls = ctx.getSocketFactory();
    this.handler = handler;
    this.limits = limits;
    this.gate = new ConnectionGate(limits, Integer.toString(s.getLocalPort()));
    this.acceptor = new Thread(null, this::accept, "smc-receiver-accept-" + s.getLocalPort(), STACK_KIB * 1024);
    acceptor.setDaemon(true);
  }

  void start() {
    acceptor.start();
    if (unix != null) {
      Thread t = new Thread(null, this::acceptUnix, "smc-receiver-accept-unix", STACK_KIB * 1024);
      t.setDaemon(true);
      t.start();
    }
  }


  int port() {
    return server.getLocalPort();
  }

  /** Connections closed at their head deadline so far. */
  long cutAtDeadline() {
    return gate.cutAtDeadline();
  }

  private void accept() {
    acceptLoop("accept", server::accept, (s, ticket) -> {
      BufferedSocket buffered = new BufferedSocket(s, SMALL);
      // TLS layered over a read-ahead socket: far fewer system calls per record
      SSLSocket ssl = (SSLSocket) tls.createSocket(buffered, null, true);
      SSLParameters p = ssl.getSSLParameters();
      p.setProtocols(Protocol.TLS_PROTOCOLS);
      p.setCipherSuites(Protocol.preferAes128(p.getCipherSuites()));
      p.setUseCipherSuitesOrder(true);
      ssl.setSSLParameters(p);
      serve(new Conn(ssl, s, buffered, ticket, false));
    });
  }

  /** As {@link #accept}, for the Unix socket: only processes of the socket's user (or root) are served. */
  private void acceptUnix() {
    acceptLoop("accept on " + unix.path(), unix::accept, (s, ticket) -> serve(new Conn(s, s, null, ticket, true)));
  }

  /** The next connection, or null for one refused already. */
  private interface Accepting<S extends Socket> {
    @Nullable
    S next() throws IOException;
  }

  /** Sets up an admitted connection and serves it on a thread of its own. */
  private interface Setup<S extends Socket> {
    void serve(S s, ConnectionGate.Ticket ticket) throws IOException;
  }

  /**
   * Accepts until closed: a connection the gate admits is set up, one it does not is reset at
   * once; a failing accept (out of file descriptors, say) is logged once a minute and tried again
   * after a pause, never spun on.
   */
  private <S extends Socket> void acceptLoop(String what, Accepting<S> accepting, Setup<S> setup) {
    long lastFailureLog = 0;
    while (!closing) {
      S s;
      try {
        s = accepting.next();
      } catch (IOException e) {
        if (closing) {
          return;
        }
        if (System.nanoTime() - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
          lastFailureLog = System.nanoTime();
          Receiver.LOG.warn("{} failed: {} (logged once a minute)", what, e.toString());
        }
        pauseAfterAcceptFailure();
        continue;
      }
      if (s == null) {
        continue;
      }
      ConnectionGate.Ticket ticket = gate.admit(s.getInetAddress(), () -> reset(s));
      if (ticket == null) {
        reset(s);
        continue;
      }
      try {
        setup.serve(s, ticket);
      } catch (IOException | RuntimeException | OutOfMemoryError e) { // OOM: no thread to be had
        gate.release(ticket);
        reset(s);
        Receiver.LOG.debug("connection not set up: {}", e.toString());
      }
    }
  }

  private void serve(Conn c) {
    conns.add(c);
    Thread t = new Thread(null, c, "smc-receiver-" + ids.incrementAndGet(), STACK_KIB * 1024);
    t.setDaemon(true);
    t.start();
  }

  private static void pauseAfterAcceptFailure() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes at once, with a reset rather than a FIN: nothing lingers for a connection we refuse. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // closed already
    }
    try {
      s.close();
    } catch (IOException e) {
      // gone anyway
    }
  }

  /**
   * Stops accepting, drops connections between requests, waits up to {@code grace} for requests
   * being served, then drops the rest.
   */
  void close(Duration grace) {
    closing = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    acceptor.interrupt();
    if (unix != null) {
      unix.close();
    }
    gate.close();
    long deadline = System.nanoTime() + grace.toNanos();
    while (true) {
      boolean busy = false;
      for (Conn c : conns) {
        if (c.serving) {
          busy = true;
        } else {
          c.closeSocket();
        }
      }
      if (!busy || System.nanoTime() > deadline) {
        break;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    conns.forEach(Conn::closeSocket);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private final class Conn implements Runnable {
    private final Socket socket;
    private final Socket below;
    @Nullable
    private final BufferedSocket buffered;
    private final ConnectionGate.Ticket ticket;
    private final boolean local;
    private GrowableStreams.In in;
    private GrowableStreams.Out out;
    private boolean authenticated;
    volatile boolean serving;

    /**
     * {@code socket} carries the requests; {@code below} is what closing unblocks it (the TCP socket
     * under TLS); {@code buffered}, the read-ahead between them, if any; {@code local}: on the Unix socket.
     */
    Conn(Socket socket, Socket below, @Nullable BufferedSocket buffered, ConnectionGate.Ticket ticket, boolean local) {
      this.socket = socket;
      this.below = below;
      this.buffered = buffered;
      this.ticket = ticket;
      this.local = local;
    }

    void closeSocket() {
      try {
        below.close(); // the TCP socket: unblocks a read or a write in TLS at once
      } catch (IOException e) {
        // gone anyway
      }
    }

    @Override
    public void run() {
      boolean clean = false;
      try {
        socket.setSoTimeout((int) limits.headDeadline().toMillis());
        socket.setTcpNoDelay(true);
        in = new GrowableStreams.In(socket.getInputStream(), SMALL);
        out = new GrowableStreams.Out(socket.getOutputStream(), SMALL);
        while (!closing) {
          RequestHead head;
          try {
            head = RequestHead.read(in);
          } catch (RequestHead.Refused r) {
            refuse(r.status, r.getMessage());
            break;
          }
          if (head == null) {
            clean = true;
            break;
          }
          serving = true;
          Exchange ex = new Exchange(head, in, out, this::authenticate, local);
          try {
            handler.handle(ex);
            ex.flush();
          } finally {
            serving = false;
          }
          if (ex.closeAfter) {
            clean = ex.responded();
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        Receiver.LOG.debug("connection {} timed out", socket.getRemoteSocketAddress());
      } catch (EOFException | SocketException e) {
        Receiver.LOG.debug("connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
      } catch (IOException | RuntimeException e) {
        Receiver.LOG.debug("connection {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
      } finally {
        if (clean) {
          try {
            socket.close(); // a clean end says so (close_notify)
          } catch (IOException | RuntimeException e) {
            // the socket below goes too
          }
        }
        closeSocket();
        conns.remove(this);
        gate.release(ticket);
      }
    }

    /** The connection is an agent's from now on: its large buffers and its idle timeout. */
    private boolean authenticate() throws IOException {
      if (authenticated) {
        return true;
      }
      if (!gate.authenticate(ticket)) {
        return false;
      }
      authenticated = true;
      socket.setSoTimeout((int) limits.idleTimeout().toMillis());
      if (buffered != null) {
        buffered.readAhead(LARGE);
      }
      in.enlarge(LARGE);
      out.enlarge(LARGE);
      return true;
    }

    /**
     * Answers a refused head and ends the sending half (TLS close_notify, then TCP FIN), then reads
     * and drops what the client had sent on, briefly: closing with unread bytes would reset the
     * connection, and a reset can destroy the answer before the client reads it.
     */
    private void refuse(int status, String message) throws IOException {
      Exchange.refusal(out).respondText(status, message);
      try {
        socket.shutdownOutput();
        if (below != socket) {
          below.shutdownOutput();
        }
      } catch (IOException | RuntimeException e) {
        return; // gone already
      }
      socket.setSoTimeout(1000);
      byte[] b = new byte[SMALL];
      try {
        for (int drained = 0, n; drained < DRAIN && (n = in.read(b, 0, b.length)) > 0; ) {
          drained += n;
        }
      } catch (IOException e) {
        // nothing more came, or it went away: close either way
      }
    }
  }
}
