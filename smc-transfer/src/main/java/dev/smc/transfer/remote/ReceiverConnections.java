package dev.smc.transfer.remote;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.Backend.Pacer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of an {@link HttpsBackend} to its receiver and the requests sent over them.
 * Connections are kept and reused (up to {@value #MAX_IDLE} idle), each calling thread on its own;
 * a request that fails on the way is sent again with backoff until its {@link Window} has passed; a
 * watchdog closes a connection whose write has made no progress for the stall timeout (the one
 * thing that unblocks it). Thread-safe.
 */
final class ReceiverConnections implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpsBackend.class);
  private static final int PIECE = 64 * 1024;
  private static final int MAX_IDLE = 8;
  private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[Protocol.COPY_BUFFER]);

  private final String host;
  private final int port;
  @Nullable
  private final java.nio.file.Path unixSocket;
  private final String location;
  private final String hostHeader;
  private final HttpsBackend.Options options;
  @Nullable
  private final SSLSocketFactory tls;
  private final ArrayDeque<HttpConnection> idle = new ArrayDeque<>();
  private final Set<HttpConnection> busy = ConcurrentHashMap.newKeySet();
  private final Thread watchdog;
  private volatile boolean closed;

  /** For {@code host:port}, named {@code location} in messages; {@code name} names the watchdog thread. */
  ReceiverConnections(String host, int port, String location, HttpsBackend.Options options, String name)
      throws IOException {
    this(host, port, null, location, options, name);
  }

  /** For the receiver's Unix socket {@code path} on this machine: plain HTTP, no TLS, no proxy. */
  ReceiverConnections(java.nio.file.Path path, String location, HttpsBackend.Options options, String name)
      throws IOException {
    this("localhost", 0, path, location, options, name);
  }

  private ReceiverConnections(String host, int port, @Nullable java.nio.file.Path unixSocket, String location,
      HttpsBackend.Options options, String name) throws IOException {
    this.host = host;
    this.port = port;
    this.unixSocket = unixSocket;
    this.location = location;
    this.hostHeader = unixSocket != null ? "localhost" : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.options = options;
    if (unixSocket != null) {
      this.tls = null;
    } else {
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        TrustManager[] trust = options.pin().isPresent() ? new TrustManager[] {new PinnedTrust(options.pin().get())}
            : null;
        ctx.init(null, trust, new SecureRandom());
        this.tls = ctx.getSocketFactory();
      } catch (GeneralSecurityException e) {
        throw new IOException("TLS: " + e.getMessage(), e);
      }
    }
    this.watchdog = new Thread(this::watch, "smc-https-watchdog-" + name);
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** Closes the connections kept for reuse: the next request opens a new one. */
  void closeIdleConnections() {
    synchronized (idle) {
      idle.forEach(HttpConnection::close);
      idle.clear();
    }
  }

  @Override
  public void close() {
    closed = true;
    watchdog.interrupt();
    closeIdleConnections();
  }

  @FunctionalInterface
  interface BodyReader<T> {
    T read(HttpConnection c, HttpConnection.Response r) throws IOException;
  }

  ByteBuffer readAll(HttpConnection c, HttpConnection.Response r) throws IOException {
    if (r.length() > Integer.MAX_VALUE - 16) {
      c.markBroken();
      throw new IOException(location + ": a response of " + r.length() + " bytes is too large to hold");
    }
    byte[] b = new byte[(int) r.length()];
    c.readBody(b, 0, b.length);
    return ByteBuffer.wrap(b);
  }

  /** Before a request is sent again: whether what it does is done already. */
  @FunctionalInterface
  interface AlreadyDone {
    boolean check(HttpConnection c) throws IOException;
  }

  /**
   * How long a request is retried after a failure; and, when {@code attemptsWithin} is given, the
   * time from the first attempt by which every attempt must be over: each one's connect, handshake
   * and reads then time out by the time left (the first contact's 15 s are 15 s, however long the
   * stall timeout).
   */
  record Window(Duration retryFor, @Nullable Duration attemptsWithin) {
    static Window retrying(Duration retryFor) {
      return new Window(retryFor, null);
    }
  }

  /**
   * Sends a request until it succeeds, fails for good, or its {@code window} has passed; before
   * sending it again, {@code alreadyDone} (when given) may find that it needs no sending.
   */
  <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
      Map<String, String> extra, @Nullable AlreadyDone alreadyDone, Window window, BodyReader<T> reader)
      throws IOException {
    long start = System.nanoTime();
    long deadline = start + window.retryFor().toNanos();
    long attemptsEnd = window.attemptsWithin() == null ? Long.MAX_VALUE : start + window.attemptsWithin().toNanos();
    long backoffMs = 100;
    for (int attempt = 1;; attempt++) {
      if (closed) {
        throw new IOException(location + ": closed");
      }
      HttpConnection c = null;
      boolean reused = false;
      int stallMs = (int) options.stallTimeout().toMillis();
      int readMs = attemptsEnd == Long.MAX_VALUE ? stallMs
          : (int) Math.max(1, Math.min(stallMs, (attemptsEnd - System.nanoTime()) / 1_000_000));
      try {
        synchronized (idle) {
          c = idle.pollFirst();
        }
        reused = c != null;
        if (c == null) {
          int connectMs = Math.min((int) options.connectTimeout().toMillis(), readMs);
          c = unixSocket != null ? HttpConnection.openUnix(unixSocket, readMs)
              : HttpConnection.open(host, port, options.proxy().orElse(null), tls, options.pin().isEmpty(), connectMs,
                  readMs);
        } else if (readMs != stallMs) {
          c.readTimeout(readMs);
        }
        busy.add(c);
        if (attempt > 1 && alreadyDone != null && alreadyDone.check(c)) {
          LOG.info("{}: {} {} had arrived before its reply was lost; not sent again", location, method, what);
          release(c);
          return null;
        }
        T result = exchange(c, method, target, what, body, pacer, head, extra, reader);
        if (readMs != stallMs) {
          c.readTimeout(stallMs); // a kept connection has the configured timeout again
        }
        release(c);
        return result;
      } catch (IOException e) {
        if (c != null) {
          c.markBroken();
          busy.remove(c);
          c.close();
        }
        IOException clear = classify(e, method, what);
        if (clear == null) {
          if (reused && attempt == 1) {
            continue; // a kept connection the receiver had closed: try a new one at once
          }
          long now = System.nanoTime();
          long left = Math.min(deadline - now, attemptsEnd - now - 100_000_000L); // another attempt needs a moment
          if (left <= 0) {
            long took = (System.nanoTime() - start) / 1_000_000;
            throw new IOException(location + ": " + method + " " + what + ": " + e.getMessage() + (attempt == 1 ? ""
                : " (the last of " + attempt + " attempts over " + HttpConnection.seconds(took) + ")"), e);
          }
          long sleep = Math.min(left / 1_000_000 + 1, backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1));
          LOG.warn("{}: {} {} failed ({}); attempt {} in {} ms", location, method, what, e.toString(), attempt + 1, sleep);
          try {
            Thread.sleep(sleep);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(location + ": interrupted while retrying " + method + " " + what);
          }
          backoffMs = Math.min(backoffMs * 2, 5_000);
          continue;
        }
        throw clear;
      }
    }
  }

  <T> T exchange(HttpConnection c, String method, String target, String what, ByteBuffer body, Pacer pacer,
      boolean head, Map<String, String> extra, BodyReader<T> reader) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Authorization", "Bearer " + options.token());
    headers.put("User-Agent", "smc");
    c.writeHead(method, target, hostHeader, headers, body == null ? -1 : body.remaining());
    if (body != null && pacer != Pacer.NONE) {
      // the head goes out now, not with the first paced piece: on a slow limit that piece may wait
      // longer than the receiver gives a connection to show its token (ConnectionLimits.headDeadline)
      c.flush();
    }
    if (body != null) {
      ByteBuffer b = body.duplicate();
      byte[] buf = COPY.get();
      // paced, a piece at a time; unpaced, all at once
      int piece = pacer == Pacer.NONE ? Integer.MAX_VALUE : PIECE;
      while (b.hasRemaining()) {
        int n = Math.min(piece, b.remaining());
        pacer.acquire(n);
        c.writeBody(b.slice(b.position(), n), buf);
        b.position(b.position() + n);
      }
    }
    c.flush();
    HttpConnection.Response r = c.readResponse(head);
    if (r.status() >= 200 && r.status() < 300) {
      return reader.read(c, r);
    }
    String message = r.length() > 0 && r.length() <= 64 * 1024
        ? new String(readAll(c, r).array(), StandardCharsets.UTF_8).trim() : "";
    if (r.length() > 64 * 1024) {
      c.markBroken();
    }
    throw new StatusException(r.status(), message);
  }

  private void release(HttpConnection c) {
    busy.remove(c);
    if (!c.reusable() || closed) {
      c.close();
      return;
    }
    synchronized (idle) {
      if (idle.size() < MAX_IDLE) {
        idle.addFirst(c);
        return;
      }
    }
    c.close();
  }

  /** A response with a status that is not 2xx. */
  static final class StatusException extends IOException {
    final int status;

    StatusException(int status, String message) {
      super(status + (message.isEmpty() ? "" : " " + message));
      this.status = status;
    }
  }

  /**
   * The error to report for a failed request, or null when it is worth sending again: a network
   * failure, a timeout, or a receiver that is busy, restarting or failed for the moment (5xx, 429).
   */
  private IOException classify(IOException e, String method, String what) {
    String where = location + ": " + method + " " + what;
    if (e instanceof StatusException s) {
      return switch (s.status) {
        case 404 -> new NoSuchFileException(what);
        case 409 -> new FileAlreadyExistsException(what);
        case 401, 403 -> throw new SmcException(ErrorCode.UNAUTHORIZED, where + ": refused: " + s.getMessage());
        case 502, 503, 504, 429 -> null; // busy, restarting, or a proxy that lost it: worth again
        default -> new IOException(where + ": " + s.getMessage());
      };
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PinnedTrust.PinMismatch pm) {
        throw new SmcException(ErrorCode.UNAUTHORIZED, location + ": " + pm.getMessage()
            + "; check --pin against the receiver's CERTS/fingerprint");
      }
    }
    if (e instanceof SSLHandshakeException) {
      return new IOException(where + ": TLS handshake failed: " + e.getMessage()
          + (options.pin().isEmpty() ? " (without --pin the receiver needs a certificate a CA signed for its host)" : ""), e);
    }
    if (e instanceof HttpConnection.ProxyRefused || e instanceof java.net.UnknownHostException) {
      return new IOException(where + ": " + e.getMessage(), e);
    }
    if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
      return e;
    }
    return null;
  }

  private void watch() {
    long limit = options.stallTimeout().toNanos();
    while (!closed) {
      try {
        Thread.sleep(Math.max(50, Math.min(1000, options.stallTimeout().toMillis() / 4)));
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (HttpConnection c : busy) {
        if (c.closeIfStalled(now, limit)) {
          LOG.warn("{}: a write made no progress for {} s; connection dropped", location, options.stallTimeout().toSeconds());
        }
      }
    }
  }
}
