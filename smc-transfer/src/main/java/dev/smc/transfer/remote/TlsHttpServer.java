package dev.smc.transfer.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 server over blocking TLS sockets, one thread a connection: what the receiver
 * needs and no more (Content-Length bodies, keep-alive, no chunked requests). Blocking sockets move
 * bytes through the JDK's TLS about twice as fast as the JDK's own HttpsServer (an SSLEngine over
 * NIO) on this hardware, and give every connection plain timeouts: a client that sends nothing
 * for {@code idleTimeout} between requests or stalls inside one is dropped. Heads are read by
 * {@link RequestHead}; a refused head gets its status and a one-line reason, then the connection
 * closes.
 */
final class TlsHttpServer implements Closeable {
  /** What is read and dropped, at most, after a refused head, so the refusal is not lost to a reset. */
  private static final int DRAIN = 64 * 1024;

  /** Serves one request; throwing leaves the connection closed after an error response if none was sent. */
  @FunctionalInterface
  interface Handler {
    void handle(Exchange ex) throws IOException;
  }

  private final ServerSocket server;
  private final javax.net.ssl.SSLSocketFactory tls;
  private final Handler handler;
  private final int timeoutMs;
  private final Semaphore slots;
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile boolean closing;

  TlsHttpServer(SSLContext ctx, InetSocketAddress listen, int maxConnections, Duration timeout, Handler handler)
      throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(listen, 256);
    this.server = s;
    this.tls = ctx.getSocketFactory();
    this.handler = handler;
    this.timeoutMs = (int) timeout.toMillis();
    this.slots = new Semaphore(maxConnections);
    this.acceptor = new Thread(this::accept, "smc-receiver-accept-" + s.getLocalPort());
    acceptor.setDaemon(true);
  }

  void start() {
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closing) {
      Socket s;
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      try {
        s = server.accept();
      } catch (IOException e) {
        slots.release();
        if (!closing) {
          Receiver.LOG.warn("accept failed: {}", e.toString());
        }
        continue;
      }
      Conn c;
      try {
        // TLS layered over a read-ahead socket: far fewer system calls per record
        SSLSocket ssl = (SSLSocket) tls.createSocket(new BufferedSocket(s), null, true);
        javax.net.ssl.SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(Protocol.TLS_PROTOCOLS);
        p.setCipherSuites(Protocol.preferAes128(p.getCipherSuites()));
        p.setUseCipherSuitesOrder(true);
        ssl.setSSLParameters(p);
        c = new Conn(ssl);
      } catch (IOException | RuntimeException e) {
        slots.release();
        try {
          s.close();
        } catch (IOException ignored) {
          // gone anyway
        }
        Receiver.LOG.debug("connection not set up: {}", e.toString());
        continue;
      }
      conns.add(c);
      Thread t = new Thread(c, "smc-receiver-" + ids.incrementAndGet());
      t.setDaemon(true);
      t.start();
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
    private final SSLSocket socket;
    volatile boolean serving;

    Conn(SSLSocket socket) {
      this.socket = socket;
    }

    void closeSocket() {
      try {
        socket.close();
      } catch (IOException e) {
        // gone anyway
      }
    }

    @Override
    public void run() {
      try {
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        while (!closing) {
          RequestHead head;
          try {
            head = RequestHead.read(in);
          } catch (RequestHead.Refused r) {
            refuse(in, out, r.status, r.getMessage());
            break;
          }
          if (head == null) {
            break;
          }
          serving = true;
          Exchange ex = new Exchange(head, in, out);
          try {
            handler.handle(ex);
            ex.flush();
          } finally {
            serving = false;
          }
          if (ex.closeAfter) {
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
        closeSocket();
        conns.remove(this);
        slots.release();
      }
    }

    /**
     * Answers a refused head and ends the sending half (TLS close_notify), then reads and drops what
     * the client had sent on, briefly: closing with unread bytes would reset the connection, and a
     * reset can destroy the answer before the client reads it.
     */
    private void refuse(InputStream in, OutputStream out, int status, String message) throws IOException {
      Exchange.refusal(out).respondText(status, message);
      try {
        socket.shutdownOutput();
      } catch (IOException | RuntimeException e) {
        return; // gone already
      }
      socket.setSoTimeout(1000);
      byte[] b = new byte[2048];
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
