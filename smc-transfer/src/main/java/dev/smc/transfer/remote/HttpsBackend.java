package dev.smc.transfer.remote;

import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.SmcException;
import dev.smc.spi.Backend;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * A repository on a {@link Receiver}, over HTTPS: {@code https://HOST:PORT/REPO} with the task's
 * bearer token, the receiver's certificate pinned by its fingerprint (or, without a pin, a
 * certificate a CA in the JDK's trust store signed, for the host name). Connections are kept and
 * reused; any number of threads may call at once, each on its own connection. A request that fails
 * on the way (refused or dropped connection, a timeout, a stalled write, 5xx) is sent again with
 * backoff until {@link Options#retryFor} has passed; every request is safe to repeat, since an
 * upload of content already stored succeeds without change, and a pack or index upload whose reply
 * was lost is not sent again when the receiver has it. Uploads are paced by the caller's
 * {@link Backend.Pacer} piece by piece as they go onto the wire.
 */
public final class HttpsBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(HttpsBackend.class);
  private static final int PIECE = 64 * 1024;
  private static final int MAX_IDLE = 8;
  private static final Duration FIRST_CONTACT = Duration.ofSeconds(15);
  private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[Protocol.COPY_BUFFER]);

  private final String location;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final String repo;
  private final Options options;
  private final SSLSocketFactory tls;
  private final ArrayDeque<HttpConnection> idle = new ArrayDeque<>();
  private final Set<HttpConnection> busy = ConcurrentHashMap.newKeySet();
  private final Thread watchdog;
  private volatile long maxBody = Long.MAX_VALUE;
  private volatile boolean closed;

  /**
   * How to reach a receiver.
   *
   * @param token the task's bearer token
   * @param pin the receiver certificate's {@code sha256:HEX}; empty to require a CA-signed one
   * @param proxy an HTTP proxy that tunnels with CONNECT, or empty for a direct connection
   * @param connectTimeout how long a connection may take to open
   * @param stallTimeout how long a read or a write may make no progress before the connection is dropped
   * @param retryFor how long a failing request is retried before the error is reported
   */
  public record Options(String token, Optional<String> pin, Optional<InetSocketAddress> proxy,
      Duration connectTimeout, Duration stallTimeout, Duration retryFor) {
    public Options {
      Objects.requireNonNull(token, "token");
      if (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
        throw InvalidSpecException.of("token", "***", "printable ASCII without spaces, as the receiver's tokens file has it");
      }
      pin = pin.map(Certificates::parsePin);
      Objects.requireNonNull(proxy, "proxy");
      for (Object[] d : new Object[][] {{"connectTimeout", connectTimeout}, {"stallTimeout", stallTimeout},
          {"retryFor", retryFor}}) {
        Duration v = (Duration) d[1];
        if (v == null || v.isNegative() || v.toMillis() > Integer.MAX_VALUE) {
          throw InvalidSpecException.of((String) d[0], String.valueOf(v), "0 to 24 days");
        }
      }
    }

    /** The token and pin; direct; 10 s to connect, 60 s of stall, retried for 5 minutes. */
    public static Options of(String token, Optional<String> pin) {
      return new Options(token, pin, Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(60),
          Duration.ofMinutes(5));
    }

    public Options withProxy(Optional<InetSocketAddress> p) {
      return new Options(token, pin, p, connectTimeout, stallTimeout, retryFor);
    }

    public Options withTimeouts(Duration connect, Duration stall, Duration retry) {
      return new Options(token, pin, proxy, connect, stall, retry);
    }

    @Override
    public String toString() {
      return "Options[token=***, pin=" + pin.orElse("none") + ", proxy=" + proxy.map(Object::toString).orElse("none")
          + ", connectTimeout=" + connectTimeout + ", stallTimeout=" + stallTimeout + ", retryFor=" + retryFor + "]";
    }
  }

  private HttpsBackend(URI uri, String repo, Options options) throws IOException {
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 443 : uri.getPort();
    this.repo = repo;
    this.options = options;
    this.location = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + repo;
    this.hostHeader = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      TrustManager[] trust = options.pin().isPresent() ? new TrustManager[] {new PinnedTrust(options.pin().get())} : null;
      ctx.init(null, trust, new SecureRandom());
      this.tls = ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS: " + e.getMessage(), e);
    }
    this.watchdog = new Thread(this::watch, "smc-https-watchdog-" + repo);
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /**
   * Opens {@code https://HOST:PORT/REPO} and asks the receiver what it accepts, so a wrong token,
   * pin or address fails here with a clear message.
   */
  public static HttpsBackend open(String endpoint, Options options) throws IOException {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw InvalidSpecException.of("repo", endpoint, "https://HOST:PORT/REPO");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || path.length() < 2
        || path.indexOf('/', 1) >= 0 || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw InvalidSpecException.of("repo", endpoint, "https://HOST:PORT/REPO (one repository name, no user or query)");
    }
    String repo = path.substring(1);
    try {
      Protocol.checkRepo(repo);
    } catch (IllegalArgumentException e) {
      throw InvalidSpecException.of("repo", endpoint, e.getMessage());
    }
    HttpsBackend b = new HttpsBackend(uri, repo, options);
    try {
      b.hello();
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /**
   * The first contact, retried for at most {@link #FIRST_CONTACT} (an address nothing answers on is
   * more often a mistake than a restart): says what the receiver accepts, and proves address, pin and
   * token before any work starts.
   */
  private void hello() throws IOException {
    Duration budget = options.retryFor().compareTo(FIRST_CONTACT) < 0 ? options.retryFor() : FIRST_CONTACT;
    String info = new String(call("GET", "/" + Protocol.VERSION + "/" + repo + "/info", "info", null, Pacer.NONE,
        false, Map.of(), null, new Window(budget, FIRST_CONTACT), this::readAll).array(), StandardCharsets.UTF_8).trim();
    for (String line : info.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 2 && f[0].equals(Protocol.MAX_BODY)) {
        maxBody = Long.parseLong(f[1]);
      }
    }
  }

  // ---------------------------------------------------------------- the Backend SPI

  @Override
  public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
    put(name, data, mode, Pacer.NONE);
  }

  @Override
  public void put(String name, ByteBuffer data, PutMode mode, Pacer pacer) throws IOException {
    Backend.checkName(name);
    if (data.remaining() > maxBody) {
      throw new IOException(location + ": object " + name + " of " + data.remaining() + " bytes is larger than the"
          + " receiver accepts (" + maxBody + " bytes); start it with a larger --max-body-mib or use smaller packs");
    }
    String target = Protocol.objectPath(repo, name) + (mode == PutMode.CREATE_NEW ? "?mode=create" : "?mode=replace");
    // An upload sent again after a failure may have arrived the first time, only its reply lost. A pack
    // or an index is named by its content: one of that name and size on the receiver is this upload,
    // so it is not sent again (the receiver would only answer that it has it).
    long size = data.remaining();
    AlreadyDone arrived = mode == PutMode.CREATE_NEW && (name.startsWith("data/") || name.startsWith("index/"))
        ? c -> storedSize(c, name) == size : null;
    call("PUT", target, name, data, pacer, false, Map.of(), arrived, Window.retrying(options.retryFor()), (c, r) -> {
      c.skipBody(r.length());
      return null;
    });
  }

  /** The size of {@code name} on the receiver, asked on {@code c}; -1 when it has none. */
  private long storedSize(HttpConnection c, String name) throws IOException {
    try {
      return exchange(c, "HEAD", Protocol.objectPath(repo, name), name, null, Pacer.NONE, true, Map.of(),
          (cc, r) -> Long.parseLong(Objects.requireNonNull(r.header(Protocol.SIZE_HEADER), "size header")));
    } catch (StatusException e) {
      if (e.status == 404) {
        return -1;
      }
      throw e;
    }
  }

  @Override
  public ByteBuffer get(String name) throws IOException {
    Backend.checkName(name);
    return call("GET", Protocol.objectPath(repo, name), name, null, Pacer.NONE, false, this::readAll);
  }

  @Override
  public ByteBuffer get(String name, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    read(name, offset, b);
    return b.flip();
  }

  @Override
  public void read(String name, long offset, ByteBuffer dst) throws IOException {
    Backend.checkName(name);
    int length = dst.remaining();
    if (length == 0) {
      return;
    }
    int start = dst.position();
    Map<String, String> range = Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1));
    call("GET", Protocol.objectPath(repo, name), name, null, Pacer.NONE, false, range, (c, r) -> {
      if (r.length() != length) {
        c.markBroken();
        throw new IOException(location + ": " + name + " at " + offset + ": " + r.length() + " bytes came, "
            + length + " asked");
      }
      dst.position(start); // a retry starts the range again
      byte[] buf = COPY.get();
      for (int left = length; left > 0; ) {
        int n = Math.min(left, buf.length);
        c.readBody(buf, 0, n);
        dst.put(buf, 0, n);
        left -= n;
      }
      return null;
    });
  }

  @Override
  public Optional<Long> size(String name) throws IOException {
    Backend.checkName(name);
    try {
      return Optional.of(call("HEAD", Protocol.objectPath(repo, name), name, null, Pacer.NONE, true,
          (c, r) -> Long.parseLong(Objects.requireNonNull(r.header(Protocol.SIZE_HEADER), "size header"))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    String text = new String(call("GET", "/" + Protocol.VERSION + "/" + repo + "/list?prefix=" + Protocol.encode(prefix),
        "list " + prefix, null, Pacer.NONE, false, this::readAll).array(), StandardCharsets.UTF_8);
    List<ObjectInfo> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      // "SIZE MODIFIED_MS NAME"; names hold no spaces
      String[] f = line.split(" ", 3);
      try {
        out.add(new ObjectInfo(f[2], Long.parseLong(f[0]), java.time.Instant.ofEpochMilli(Long.parseLong(f[1]))));
      } catch (RuntimeException e) {
        throw new IOException("receiver " + location() + ": list line '" + line + "' is not 'SIZE MODIFIED_MS NAME'"
            + " (a receiver of an older smc? run the same version on both sides)");
      }
    }
    return out;
  }

  @Override
  public void delete(String name) throws IOException {
    Backend.checkName(name);
    call("DELETE", Protocol.objectPath(repo, name), name, null, Pacer.NONE, false, (c, r) -> {
      c.skipBody(r.length());
      return null;
    });
  }

  @Override
  public void barrier() throws IOException {
    call("POST", "/" + Protocol.VERSION + "/" + repo + "/barrier", "barrier", ByteBuffer.allocate(0), Pacer.NONE,
        false, (c, r) -> {
          c.skipBody(r.length());
          return null;
        });
  }

  @Override
  public String location() {
    return location;
  }

  /** Four: while the receiver checks and stores one pack, the others keep the link busy. */
  @Override
  public int parallelUploads() {
    return 4;
  }

  @Override
  public void close() {
    closed = true;
    watchdog.interrupt();
    closeIdleConnections();
  }

  /** Closes the connections kept for reuse: the next request opens a new one. */
  void closeIdleConnections() {
    synchronized (idle) {
      idle.forEach(HttpConnection::close);
      idle.clear();
    }
  }

  // ---------------------------------------------------------------- requests

  @FunctionalInterface
  private interface BodyReader<T> {
    T read(HttpConnection c, HttpConnection.Response r) throws IOException;
  }

  private ByteBuffer readAll(HttpConnection c, HttpConnection.Response r) throws IOException {
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
  private interface AlreadyDone {
    boolean check(HttpConnection c) throws IOException;
  }

  private <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
      BodyReader<T> reader) throws IOException {
    return call(method, target, what, body, pacer, head, Map.of(), reader);
  }

  private <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
      Map<String, String> extra, BodyReader<T> reader) throws IOException {
    return call(method, target, what, body, pacer, head, extra, null, Window.retrying(options.retryFor()), reader);
  }

  /**
   * How long a request is retried after a failure; and, when {@code attemptsWithin} is given, the
   * time from the first attempt by which every attempt must be over: each one's connect, handshake
   * and reads then time out by the time left (the first contact's 15 s are 15 s, however long the
   * stall timeout).
   */
  private record Window(Duration retryFor, @Nullable Duration attemptsWithin) {
    static Window retrying(Duration retryFor) {
      return new Window(retryFor, null);
    }
  }

  /**
   * Sends a request until it succeeds, fails for good, or its {@code window} has passed; before
   * sending it again, {@code alreadyDone} (when given) may find that it needs no sending.
   */
  private <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
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
          c = HttpConnection.open(host, port, options.proxy().orElse(null), tls, options.pin().isEmpty(),
              connectMs, readMs);
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

  private <T> T exchange(HttpConnection c, String method, String target, String what, ByteBuffer body, Pacer pacer,
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
      while (b.hasRemaining()) {
        int n = Math.min(PIECE, b.remaining());
        pacer.acquire(n);
        b.get(buf, 0, n);
        c.writeBody(buf, 0, n);
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
  private static final class StatusException extends IOException {
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

  @Override
  public String toString() {
    return "HttpsBackend[" + location + "]";
  }
}
