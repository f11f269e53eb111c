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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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
 * for {@code idleTimeout} between requests or stalls inside one is dropped.
 */
final class TlsHttpServer implements Closeable {
  private static final int MAX_LINE = 8192;
  private static final int MAX_HEADERS = 100;

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

  /** One request and its response. */
  static final class Exchange {
    final String method;
    final String rawPath;
    final String rawQuery;
    final Map<String, String> headers;
    final long contentLength;
    private final InputStream in;
    private final OutputStream out;
    final Map<String, String> responseHeaders = new LinkedHashMap<>();
    private long bodyLeft;
    private boolean responded;
    boolean closeAfter;

    Exchange(String method, String rawPath, String rawQuery, Map<String, String> headers, long contentLength,
        InputStream in, OutputStream out) {
      this.method = method;
      this.rawPath = rawPath;
      this.rawQuery = rawQuery;
      this.headers = headers;
      this.contentLength = contentLength;
      this.bodyLeft = Math.max(0, contentLength);
      this.in = in;
      this.out = out;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Reads body bytes; -1 at the body's end; an early end of the connection is an {@link EOFException}. */
    int read(byte[] b, int off, int len) throws IOException {
      if (bodyLeft == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, bodyLeft));
      if (n < 0) {
        closeAfter = true;
        throw new EOFException("the request body ended " + bodyLeft + " bytes short");
      }
      bodyLeft -= n;
      return n;
    }

    boolean responded() {
      return responded;
    }

    /** Sends the status line and headers; {@code length} body bytes must follow through {@link #write}. */
    void respond(int status, long length) throws IOException {
      responded = true;
      StringBuilder sb = new StringBuilder(128);
      sb.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
      for (Map.Entry<String, String> h : responseHeaders.entrySet()) {
        sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      if (status != 204 && status != 304) {
        sb.append("Content-Length: ").append(method.equals("HEAD") ? 0 : Math.max(0, length)).append("\r\n");
      }
      if (closeAfter || bodyLeft > 0) {
        closeAfter = true; // a body left unread would be taken for the next request
        sb.append("Connection: close\r\n");
      }
      sb.append("\r\n");
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      if (length <= 0 || method.equals("HEAD")) {
        out.flush();
      }
    }

    void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    void flush() throws IOException {
      out.flush();
    }

    private static String reason(int status) {
      return switch (status) {
        case 200 -> "OK";
        case 201 -> "Created";
        case 204 -> "No Content";
        case 206 -> "Partial Content";
        case 400 -> "Bad Request";
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        case 405 -> "Method Not Allowed";
        case 409 -> "Conflict";
        case 411 -> "Length Required";
        case 413 -> "Content Too Large";
        case 416 -> "Range Not Satisfiable";
        case 422 -> "Unprocessable Content";
        case 503 -> "Service Unavailable";
        case 507 -> "Insufficient Storage";
        default -> "Status";
      };
    }
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
          Exchange ex = readRequest(in, out);
          if (ex == null) {
            break;
          }
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

    /** The next request, or null when the client closed the connection between requests. */
    private Exchange readRequest(InputStream in, OutputStream out) throws IOException {
      String line = readLine(in, true);
      if (line == null) {
        return null;
      }
      serving = true;
      String[] f = line.split(" ");
      if (f.length != 3 || !f[2].startsWith("HTTP/1.")) {
        refuse(out, 400, "not an HTTP/1.1 request line");
        return null;
      }
      Map<String, String> headers = new HashMap<>();
      for (int n = 0;; n++) {
        String h = readLine(in, false);
        if (h.isEmpty()) {
          break;
        }
        if (n >= MAX_HEADERS) {
          refuse(out, 400, "more than " + MAX_HEADERS + " headers");
          return null;
        }
        int colon = h.indexOf(':');
        if (colon <= 0) {
          refuse(out, 400, "malformed header line");
          return null;
        }
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      long length = 0;
      String cl = headers.get("content-length");
      if (headers.containsKey("transfer-encoding")) {
        length = -1; // the handler refuses a body without a length; the connection cannot continue
      } else if (cl != null) {
        try {
          length = Long.parseLong(cl);
        } catch (NumberFormatException e) {
          refuse(out, 400, "Content-Length '" + cl + "' is not a number");
          return null;
        }
        if (length < 0) {
          refuse(out, 400, "Content-Length '" + cl + "' is negative");
          return null;
        }
      }
      String target = f[1];
      int q = target.indexOf('?');
      Exchange ex = new Exchange(f[0], q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1),
          headers, length, in, out);
      if (length < 0 || "close".equalsIgnoreCase(headers.get("connection"))) {
        ex.closeAfter = true;
      }
      return ex;
    }

    private void refuse(OutputStream out, int status, String message) throws IOException {
      Exchange ex = new Exchange("GET", "", null, Map.of(), 0, InputStream.nullInputStream(), out);
      ex.closeAfter = true;
      byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
      ex.respond(status, b.length);
      ex.write(b, 0, b.length);
      ex.flush();
    }
  }

  /** A CRLF- or LF-ended line; null at a clean end of stream before it when {@code eofOk}. */
  private static String readLine(InputStream in, boolean eofOk) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (eofOk && sb.length() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a request's head");
      }
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      if (sb.length() >= MAX_LINE) {
        throw new IOException("request line longer than " + MAX_LINE + " bytes");
      }
      sb.append((char) c);
    }
  }
}
