package dev.smc.transfer.remote;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
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
 * its repository; bodies are limited in size and must arrive whole; a pack, index file or image
 * manifest is checked against its name (and must parse as one) before it becomes visible; a
 * repeated upload of the same content succeeds without change. {@link #close()} stops taking
 * requests and waits for those running.
 *
 * <p>Strangers are held briefly and cheaply ({@link ConnectionLimits}): a connection must show an
 * accepted token within 10 s of its accept, only 64 such connections per address and 1024 in all
 * are held (beyond, a new one is closed at once), and until then it has a thread with a 256 KiB
 * stack and 2 KiB buffers; agents' connections (64 by default) get 64 KiB buffers and a 60 s
 * idle timeout. Memory does not grow with the size or number of uploads and downloads: a body is
 * staged in a file of its repository ({@link StagedUpload}) and checked from there, an object is
 * sent from its file a piece at a time. With {@code -Xmx160m}, 1,000 slow connections held against
 * it and an agent's cycles and restores running, its resident memory stayed under 400 MiB
 * ({@code SlowClientsIT}).
 */
public final class Receiver implements Closeable {
  static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

  private final Config config;
  private final TlsHttpServer server;
  private final Certificates certs;
  private final Tokens tokens;
  private final Map<String, LocalFolderBackend> repos = new ConcurrentHashMap<>();
  private volatile boolean closing;

  /**
   * Where and how a receiver serves.
   *
   * @param unixSocket a Unix socket to listen on as well, for agents of this user on this machine
   *     (plain HTTP; its folder should be private); empty for none
   * @param maxBodyBytes the largest upload (1 MiB to 2 GiB less 4 KiB)
   * @param limits how many connections it holds, and for how long ({@link ConnectionLimits})
   * @param verifyContent whether packs, index files and manifests are checked against their names
   *     on arrival (on for repositories; off only to host objects that are not a repository's)
   */
  public record Config(Path root, InetSocketAddress listen, Optional<Path> unixSocket, Path certDir, Path tokensFile,
      int maxBodyBytes, ConnectionLimits limits, boolean verifyContent) {
    public static final int DEFAULT_MAX_BODY = 64 << 20;

    public Config {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(listen, "listen");
      Objects.requireNonNull(unixSocket, "unixSocket");
      Objects.requireNonNull(certDir, "certDir");
      Objects.requireNonNull(tokensFile, "tokensFile");
      Objects.requireNonNull(limits, "limits");
      if (maxBodyBytes < 1 << 20 || maxBodyBytes > Integer.MAX_VALUE - 4096) {
        throw new IllegalArgumentException("maxBodyBytes " + maxBodyBytes + ": allowed 1 MiB to "
            + (Integer.MAX_VALUE - 4096) + " bytes");
      }
      if (unixSocket.isPresent() && !UnixListener.fits(unixSocket.get())) {
        throw new IllegalArgumentException("unixSocket " + unixSocket.get() + ": allowed a path of at most "
            + UnixListener.MAX_PATH_BYTES + " bytes");
      }
    }

    /** Defaults: no Unix socket, bodies up to 64 MiB, {@link ConnectionLimits#DEFAULTS}, content verified. */
    public static Config of(Path root, InetSocketAddress listen, Path certDir, Path tokensFile) {
      return new Config(root, listen, Optional.empty(), certDir, tokensFile, DEFAULT_MAX_BODY, ConnectionLimits.DEFAULTS,
          true);
    }

    public Config withVerifyContent(boolean on) {
      return new Config(root, listen, unixSocket, certDir, tokensFile, maxBodyBytes, limits, on);
    }

    public Config withLimits(ConnectionLimits l) {
      return new Config(root, listen, unixSocket, certDir, tokensFile, maxBodyBytes, l, verifyContent);
    }

    public Config withMaxBodyBytes(int max) {
      return new Config(root, listen, unixSocket, certDir, tokensFile, max, limits, verifyContent);
    }

    public Config withUnixSocket(Optional<Path> socket) {
      return new Config(root, listen, socket, certDir, tokensFile, maxBodyBytes, limits, verifyContent);
    }

    /** Whether a path fits a Unix socket ({@value UnixListener#MAX_PATH_BYTES} bytes at most). */
    public static boolean fitsUnixSocket(Path socket) {
      return UnixListener.fits(socket);
    }
  }

  private Receiver(Config config, Certificates certs, Tokens tokens) throws IOException {
    this.config = config;
    this.certs = certs;
    this.tokens = tokens;
    this.server = new TlsHttpServer(certs.serverContext(), config.listen(), config.unixSocket().orElse(null),
        config.limits(), this::handle);
  }

  /** Starts serving: makes the certificate on first start, reads the tokens file, binds the port. */
  public static Receiver start(Config config) throws IOException {
    Certificates certs = Certificates.loadOrCreate(config.certDir(), config.listen().getHostString());
    Tokens tokens = Tokens.load(config.tokensFile());
    Files.createDirectories(config.root());
    Receiver r = new Receiver(config, certs, tokens);
    r.server.start();
    LOG.info("receiver serving {} on https://{}:{} (certificate {}){}", config.root(),
        config.listen().getHostString(), r.port(), certs.fingerprint(),
        config.unixSocket().map(u -> " and on unix socket " + u).orElse(""));
    return r;
  }

  /** The port it listens on (the one chosen when the configured port was 0). */
  public int port() {
    return server.port();
  }

  /** Connections closed so far because no request on them was authenticated by their head deadline. */
  long connectionsCutAtDeadline() {
    return server.cutAtDeadline();
  }

  /** The {@code sha256:HEX} fingerprint of its certificate, which agents pin. */
  public String fingerprint() {
    return certs.fingerprint();
  }

  /**
   * Stops taking requests (new ones are refused with 503, which agents retry), waits up to
   * {@code grace} for the running ones to finish, then closes the port.
   */
  public void close(Duration grace) {
    closing = true;
    server.close(grace);
    for (LocalFolderBackend b : repos.values()) {
      try {
        b.close();
      } catch (IOException e) {
        LOG.warn("closing {}: {}", b.location(), e.toString());
      }
    }
    LOG.info("receiver on port {} stopped", port());
  }

  /** {@link #close(Duration)} with 30 seconds of grace. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
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
    } catch (EOFException e) {
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
      String info = Protocol.MAX_BODY + " " + config.maxBodyBytes();
      if (ex.local) { // an agent of this user here may stage its packs in tmp/ and read them from the folder itself
        info += "\n" + Protocol.FOLDER + " " + PeerFolder.describe(backend(repo).root());
      }
      respondText(ex, 200, info);
    } else {
      throw new Refusal(404, "no such path '" + path + "' for " + method);
    }
  }

  private void authorize(Exchange ex, String repo) throws Refusal, IOException {
    String auth = ex.header("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
    switch (tokens.check(repo, token)) {
      case ALLOWED -> {
        if (!ex.authenticate()) {
          ex.closeAfter = true;
          throw new Refusal(503, "all " + config.limits().authenticated() + " connections for agents are in use"
              + " (--max-connections); retry");
        }
      }
      case OTHER_REPOSITORY -> throw new Refusal(403, "the token is not allowed repository '" + repo + "'");
      default -> throw new Refusal(401, token == null
          ? "no token: send 'Authorization: Bearer TOKEN' with the repository's token"
          : "token not accepted for repository '" + repo + "'");
    }
  }

  private LocalFolderBackend backend(String repo) throws IOException {
    LocalFolderBackend open = repos.get(repo);
    if (open != null && !Files.isDirectory(config.root().resolve(repo).resolve("tmp"))) {
      // the repository's folder was removed under the running receiver: start it again when used
      repos.remove(repo, open);
      open.close();
    }
    try {
      return repos.computeIfAbsent(repo, r -> {
        try {
          LocalFolderBackend b = LocalFolderBackend.open(config.root().resolve(r));
          b.removeLeftovers(); // uploads a killed receiver was staging
          return b;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void put(Exchange ex, String repo, String name) throws Refusal, IOException {
    String query = Optional.ofNullable(ex.rawQuery).orElse("");
    String staged = null;
    int amp = query.indexOf("&" + Protocol.STAGED + "=");
    if (amp >= 0) {
      staged = query.substring(amp + Protocol.STAGED.length() + 2);
      query = query.substring(0, amp);
    }
    Backend.PutMode mode = switch (query) {
      case "", "mode=create" -> Backend.PutMode.CREATE_NEW;
      case "mode=replace" -> Backend.PutMode.REPLACE;
      default -> throw new Refusal(400, "query '" + query + "': allowed mode=create or mode=replace");
    };
    if (staged != null) {
      putStaged(ex, repo, name, mode, staged);
      return;
    }
    long len = ex.contentLength;
    if (len < 0 || ex.header("Content-Length") == null) {
      throw new Refusal(411, "an upload must give its Content-Length (chunked bodies are not accepted)");
    }
    if (len > config.maxBodyBytes()) {
      throw new Refusal(413, "body of " + len + " bytes; at most " + config.maxBodyBytes() + " allowed");
    }
    // the body goes to a file, is checked from there and then becomes the object: memory does not
    // grow with the size or number of uploads; a pack whose chunks are not hashed here is read back
    // only for its trailer, so it is written past the page cache
    boolean direct = name.startsWith("data/") && (ex.local || !config.verifyContent());
    try (StagedUpload u = StagedUpload.receive(backend(repo), ex, name, len, direct)) {
      place(ex, u, name, mode);
    }
  }

  /**
   * A pack an agent on the Unix socket wrote itself into the repository's {@code tmp/} (named as
   * {@link LocalFolderBackend#writeTemporary} names them): checked and made the object as if its
   * bytes had come in the body, without copying them through the socket. Only there: over HTTPS, 400.
   */
  private void putStaged(Exchange ex, String repo, String name, Backend.PutMode mode, String file)
      throws Refusal, IOException {
    if (!ex.local) {
      throw new Refusal(400, Protocol.STAGED + ": only for agents on this receiver's Unix socket");
    }
    if (!LocalFolderBackend.isTemporaryName(file) || ex.contentLength > 0) {
      throw new Refusal(400, Protocol.STAGED + " '" + file + "': allowed the name of a temporary file of the"
          + " repository's tmp/ folder, with an empty body");
    }
    LocalFolderBackend b = backend(repo);
    Path staged = b.root().resolve("tmp").resolve(file);
    if (!Files.isRegularFile(staged, LinkOption.NOFOLLOW_LINKS)) {
      throw new Refusal(404, "no staged file " + file + " in the repository's tmp/ folder");
    }
    try (StagedUpload u = StagedUpload.adopt(b, staged)) {
      place(ex, u, name, mode);
    }
  }

  /** Checks what {@code u} holds against {@code name}, makes it the object and answers the agent. */
  private void place(Exchange ex, StagedUpload u, String name, Backend.PutMode mode) throws Refusal, IOException {
    try {
      if (config.verifyContent()) {
        // an agent on the Unix socket runs as this receiver's user and could write the repository's
        // files itself: its packs are checked as a whole (trailer and name), not hashed again chunk by chunk
        u.verify(name, !ex.local);
      }
    } catch (IntegrityException e) {
      throw new Refusal(422, e.getMessage());
    }
    try {
      u.put(name, mode);
      ex.respond(201, -1);
    } catch (FileAlreadyExistsException e) {
      // packs and index files are named by their content, just verified: one of that name holds it
      boolean namedByContent = config.verifyContent() && (name.startsWith("data/") || name.startsWith("index/"));
      if (namedByContent || u.sameAsStored(name)) {
        ex.respond(200, -1); // a retry of an upload that arrived: nothing to do
      } else {
        throw new Refusal(409, "object " + name + " exists with other content");
      }
    }
  }

  private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[Protocol.COPY_BUFFER]);

  /** Streams the object from one open file, a piece at a time: memory does not grow with its size. */
  private void get(Exchange ex, String repo, String name) throws Refusal, IOException {
    Path file = backend(repo).root().resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new Refusal(404, "no object " + name);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      String range = ex.header("Range");
      long first = 0;
      long length = size;
      int status = 200;
      if (range != null) {
        long[] r = parseRange(range, size);
        first = r[0];
        length = r[1] - r[0] + 1;
        ex.responseHeaders.put("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + size);
        status = 206;
      }
      ex.respond(status, length);
      byte[] chunk = COPY.get();
      ByteBuffer piece = ByteBuffer.wrap(chunk);
      for (long pos = first, left = length; left > 0; ) {
        piece.clear().limit((int) Math.min(chunk.length, left));
        int n = ch.read(piece, pos);
        if (n < 0) {
          throw new IOException(name + " ended at " + pos + " bytes while being sent; " + size + " expected");
        }
        ex.write(chunk, 0, n);
        pos += n;
        left -= n;
      }
    } catch (NoSuchFileException e) {
      throw new Refusal(404, "no object " + name);
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
      ex.respondText(status, text);
    } catch (IOException e) {
      LOG.debug("response {} not sent: {}", status, e.toString());
    }
  }
}
