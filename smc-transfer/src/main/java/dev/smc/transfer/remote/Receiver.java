package dev.smc.transfer.remote;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transit instance's server: hosts repositories in folders under a root and serves them to
 * agents as a {@link Backend} over HTTPS ({@link Protocol}). Each bearer token is allowed one
 * repository; object names are checked before anything is opened, so no request reaches outside
 * its repository; bodies are limited in size and must arrive whole; a pack or index file is
 * checked against its name before it becomes visible; a repeated upload of the same content
 * succeeds without change. {@link #close()} stops taking requests and waits for those running.
 */
public final class Receiver implements Closeable {
  static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

  /** Bodies up to this size are read onto the heap; larger ones into pooled direct buffers. */
  private static final int SMALL = 1 << 20;

  private final Config config;
  private final TlsHttpServer server;
  private final Certificates certs;
  private final Tokens tokens;
  private final BufferPool buffers;
  private final Map<String, Backend> repos = new ConcurrentHashMap<>();
  private volatile boolean closing;

  /**
   * Where and how a receiver serves.
   *
   * @param verifyContent whether packs and index files are checked against their names on arrival
   *     (on for repositories; off only to host objects that are not a repository's)
   */
  public record Config(Path root, InetSocketAddress listen, Path certDir, Path tokensFile, int maxBodyBytes,
      long maxBufferedBytes, int maxConnections, boolean verifyContent) {
    public static final int DEFAULT_MAX_BODY = 64 << 20;

    public Config {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(listen, "listen");
      Objects.requireNonNull(certDir, "certDir");
      Objects.requireNonNull(tokensFile, "tokensFile");
      if (maxBodyBytes < 1 << 20) {
        throw new IllegalArgumentException("maxBodyBytes " + maxBodyBytes + ": at least 1 MiB allowed");
      }
      if (maxBufferedBytes < maxBodyBytes) {
        throw new IllegalArgumentException("maxBufferedBytes " + maxBufferedBytes + ": at least maxBodyBytes ("
            + maxBodyBytes + ") allowed");
      }
      if (maxConnections < 1 || maxConnections > 4096) {
        throw new IllegalArgumentException("maxConnections " + maxConnections + ": 1-4096 allowed");
      }
    }

    /** Defaults: bodies up to 64 MiB, 512 MiB of bodies in memory at once, 64 connections. */
    public static Config of(Path root, InetSocketAddress listen, Path certDir, Path tokensFile) {
      return new Config(root, listen, certDir, tokensFile, DEFAULT_MAX_BODY, 512L << 20, 64, true);
    }

    public Config withVerifyContent(boolean on) {
      return new Config(root, listen, certDir, tokensFile, maxBodyBytes, maxBufferedBytes, maxConnections, on);
    }
  }

  private Receiver(Config config, Certificates certs, Tokens tokens) throws IOException {
    this.config = config;
    this.certs = certs;
    this.tokens = tokens;
    this.buffers = new BufferPool(config.maxBodyBytes(), (int) (config.maxBufferedBytes() / config.maxBodyBytes()));
    this.server = new TlsHttpServer(certs.serverContext(), config.listen(), config.maxConnections(),
        java.time.Duration.ofSeconds(60), this::handle);
  }

  /** Starts serving: makes the certificate on first start, reads the tokens file, binds the port. */
  public static Receiver start(Config config) throws IOException {
    Certificates certs = Certificates.loadOrCreate(config.certDir(), config.listen().getHostString());
    Tokens tokens = Tokens.load(config.tokensFile());
    java.nio.file.Files.createDirectories(config.root());
    Receiver r = new Receiver(config, certs, tokens);
    r.server.start();
    LOG.info("receiver serving {} on https://{}:{} (certificate {})", config.root(),
        config.listen().getHostString(), r.port(), certs.fingerprint());
    return r;
  }

  /** The port it listens on (the one chosen when the configured port was 0). */
  public int port() {
    return server.port();
  }

  /** The {@code sha256:HEX} fingerprint of its certificate, which agents pin. */
  public String fingerprint() {
    return certs.fingerprint();
  }

  /**
   * Stops taking requests (new ones are refused with 503, which agents retry), waits up to
   * {@code grace} for the running ones to finish, then closes the port.
   */
  public void close(java.time.Duration grace) {
    closing = true;
    server.close(grace);
    for (Backend b : repos.values()) {
      try {
        b.close();
      } catch (IOException e) {
        LOG.warn("closing {}: {}", b.location(), e.toString());
      }
    }
    LOG.info("receiver on port {} stopped", port());
  }

  /** {@link #close(java.time.Duration)} with 30 seconds of grace. */
  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(30));
  }

  // ---------------------------------------------------------------- requests

  /** A request refused with an HTTP status and a one-line reason. */
  private static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private void handle(Exchange ex) {
    try {
      if (closing) {
        throw new Refusal(503, "receiver is shutting down; retry");
      }
      route(ex);
    } catch (Refusal r) {
      respondText(ex, r.status, r.getMessage());
    } catch (java.io.EOFException e) {
      // the agent went away mid-upload (a dropped link, a killed agent): nothing was stored, it retries
      LOG.debug("{} {}: {}", ex.method, ex.rawPath, e.toString());
      ex.closeAfter = true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} {}: {}", ex.method, ex.rawPath, e.toString());
      if (!ex.responded()) {
        respondText(ex, isDiskFull(e) ? 507 : 500, "receiver failed: " + e.getMessage());
      }
      ex.closeAfter = true;
    }
  }

  private static boolean isDiskFull(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") || m.contains("ENOSPC");
  }

  private void route(Exchange ex) throws Refusal, IOException {
    String path = ex.rawPath;
    String prefix = "/" + Protocol.VERSION + "/";
    if (!path.startsWith(prefix)) {
      throw new Refusal(404, "no such path '" + path + "'; the API is under /" + Protocol.VERSION + "/REPO/");
    }
    int slash = path.indexOf('/', prefix.length());
    if (slash < 0) {
      throw new Refusal(404, "no such path '" + path + "'");
    }
    String repo = path.substring(prefix.length(), slash);
    try {
      Protocol.checkRepo(repo);
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, e.getMessage());
    }
    authorize(ex, repo);
    String rest = path.substring(slash + 1);
    String method = ex.method;
    if (rest.startsWith("o/")) {
      String name = rest.substring(2);
      try {
        Backend.checkName(name);
      } catch (IllegalArgumentException e) {
        throw new Refusal(400, e.getMessage());
      }
      switch (method) {
        case "PUT" -> put(ex, repo, name);
        case "GET" -> get(ex, repo, name);
        case "HEAD" -> head(ex, repo, name);
        case "DELETE" -> {
          backend(repo).delete(name);
          ex.respond(204, -1);
        }
        default -> throw new Refusal(405, "method " + method + " not allowed on an object");
      }
    } else if (rest.equals("list") && method.equals("GET")) {
      list(ex, repo);
    } else if (rest.equals("barrier") && method.equals("POST")) {
      backend(repo).barrier();
      ex.respond(204, -1);
    } else if (rest.equals("info") && method.equals("GET")) {
      respondText(ex, 200, Protocol.MAX_BODY + " " + config.maxBodyBytes());
    } else {
      throw new Refusal(404, "no such path '" + path + "' for " + method);
    }
  }

  private void authorize(Exchange ex, String repo) throws Refusal {
    String auth = ex.header("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
    switch (tokens.check(repo, token)) {
      case ALLOWED -> { }
      case OTHER_REPOSITORY -> throw new Refusal(403, "the token is not allowed repository '" + repo + "'");
      default -> throw new Refusal(401, token == null
          ? "no token: send 'Authorization: Bearer TOKEN' with the repository's token"
          : "token not accepted for repository '" + repo + "'");
    }
  }

  private Backend backend(String repo) throws IOException {
    Backend open = repos.get(repo);
    if (open != null && !java.nio.file.Files.isDirectory(config.root().resolve(repo).resolve("tmp"))) {
      // the repository's folder was removed under the running receiver: start it again when used
      repos.remove(repo, open);
      open.close();
    }
    try {
      return repos.computeIfAbsent(repo, r -> {
        try {
          return LocalFolderBackend.open(config.root().resolve(r));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void put(Exchange ex, String repo, String name) throws Refusal, IOException {
    String query = Optional.ofNullable(ex.rawQuery).orElse("");
    Backend.PutMode mode = switch (query) {
      case "", "mode=create" -> Backend.PutMode.CREATE_NEW;
      case "mode=replace" -> Backend.PutMode.REPLACE;
      default -> throw new Refusal(400, "query '" + query + "': allowed mode=create or mode=replace");
    };
    long len = ex.contentLength;
    if (len < 0 || ex.header("Content-Length") == null) {
      throw new Refusal(411, "an upload must give its Content-Length (chunked bodies are not accepted)");
    }
    if (len > config.maxBodyBytes()) {
      throw new Refusal(413, "body of " + len + " bytes; at most " + config.maxBodyBytes() + " allowed");
    }
    ByteBuffer buf = len <= SMALL ? ByteBuffer.allocate((int) len) : buffers.take();
    try {
      buf.clear().limit((int) len);
      readBody(ex, buf, name);
      buf.flip();
      try {
        if (config.verifyContent()) {
          Repository.verifyNamedContent(name, buf);
        }
      } catch (IntegrityException e) {
        throw new Refusal(422, e.getMessage());
      }
      Backend b = backend(repo);
      try {
        b.put(name, buf, mode);
        ex.respond(201, -1);
      } catch (FileAlreadyExistsException e) {
        if (sameContent(b, name, buf)) {
          ex.respond(200, -1); // a retry of an upload that arrived: nothing to do
        } else {
          throw new Refusal(409, "object " + name + " exists with other content");
        }
      }
    } finally {
      if (len > SMALL) {
        buffers.give(buf);
      }
    }
  }

  private boolean sameContent(Backend b, String name, ByteBuffer buf) throws IOException {
    if (config.verifyContent() && (name.startsWith("data/") || name.startsWith("index/"))) {
      return true; // named by their content, which was just verified
    }
    try {
      return b.get(name).equals(buf);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static void readBody(Exchange ex, ByteBuffer dst, String name) throws IOException {
    byte[] chunk = COPY.get();
    while (dst.hasRemaining()) {
      int n = ex.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
      if (n < 0) {
        throw new java.io.EOFException("upload of " + name + " ended " + dst.remaining() + " bytes short; nothing stored");
      }
      dst.put(chunk, 0, n);
    }
  }

  private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[Protocol.COPY_BUFFER]);

  private void get(Exchange ex, String repo, String name) throws Refusal, IOException {
    Backend b = backend(repo);
    long size = b.size(name).orElseThrow(() -> new Refusal(404, "no object " + name));
    String range = ex.header("Range");
    ByteBuffer body;
    int status;
    if (range == null) {
      body = b.get(name);
      status = 200;
    } else {
      long[] r = parseRange(range, size);
      body = b.get(name, r[0], (int) (r[1] - r[0] + 1));
      ex.responseHeaders.put("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + size);
      status = 206;
    }
    ex.respond(status, body.remaining());
    byte[] chunk = COPY.get();
    while (body.hasRemaining()) {
      int n = Math.min(chunk.length, body.remaining());
      body.get(chunk, 0, n);
      ex.write(chunk, 0, n);
    }
  }

  private static long[] parseRange(String range, long size) throws Refusal {
    String r = range.trim();
    int dash = r.indexOf('-');
    if (!r.startsWith("bytes=") || dash < 0) {
      throw new Refusal(400, "Range '" + range + "': allowed bytes=FIRST-LAST");
    }
    try {
      long first = Long.parseLong(r.substring(6, dash));
      long last = Long.parseLong(r.substring(dash + 1));
      if (first < 0 || last < first || last >= size || last - first >= Integer.MAX_VALUE) {
        throw new Refusal(416, "Range '" + range + "' outside the object's " + size + " bytes");
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      throw new Refusal(400, "Range '" + range + "': allowed bytes=FIRST-LAST");
    }
  }

  private void head(Exchange ex, String repo, String name) throws Refusal, IOException {
    long size = backend(repo).size(name).orElseThrow(() -> new Refusal(404, "no object " + name));
    ex.responseHeaders.put(Protocol.SIZE_HEADER, Long.toString(size));
    ex.respond(200, -1);
  }

  private void list(Exchange ex, String repo) throws Refusal, IOException {
    String query = Optional.ofNullable(ex.rawQuery).orElse("");
    String prefix = query.startsWith("prefix=") ? Protocol.decode(query.substring(7)) : "";
    if (!query.isEmpty() && !query.startsWith("prefix=")) {
      throw new Refusal(400, "query '" + query + "': allowed prefix=P");
    }
    if (!prefix.isEmpty()) {
      try {
        Backend.checkName(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
      } catch (IllegalArgumentException e) {
        throw new Refusal(400, "prefix: " + e.getMessage());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Backend.ObjectInfo o : backend(repo).list(prefix)) {
      sb.append(o.size()).append(' ').append(o.modified().toEpochMilli()).append(' ').append(o.name()).append('\n');
    }
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    ex.respond(200, b.length);
    ex.write(b, 0, b.length);
  }

  private static void respondText(Exchange ex, int status, String text) {
    try {
      byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
      ex.responseHeaders.put("Content-Type", "text/plain; charset=utf-8");
      ex.respond(status, b.length);
      if (!ex.method.equals("HEAD")) {
        ex.write(b, 0, b.length);
      }
    } catch (IOException e) {
      LOG.debug("response {} not sent: {}", status, e.toString());
    }
  }

  /** Direct buffers for large bodies, made as needed up to a count: bounds the memory uploads take. */
  private static final class BufferPool {
    private final int size;
    private final java.util.concurrent.Semaphore permits;
    private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> free =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    BufferPool(int size, int count) {
      this.size = size;
      this.permits = new java.util.concurrent.Semaphore(Math.max(1, count), true);
    }

    ByteBuffer take() throws IOException {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("receiver shutting down");
      }
      ByteBuffer b = free.poll();
      if (b == null) {
        int align = dev.smc.transfer.internal.posix.Posix.DIRECT_ALIGNMENT;
        b = ByteBuffer.allocateDirect(size + 2 * align).alignedSlice(align).limit(size).slice();
      }
      return b;
    }

    void give(ByteBuffer b) {
      free.add(b);
      permits.release();
    }
  }
}
