package dev.smc.transfer.remote;

import dev.smc.InvalidSpecException;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.remote.ReceiverConnections.AlreadyDone;
import dev.smc.transfer.remote.ReceiverConnections.BodyReader;
import dev.smc.transfer.remote.ReceiverConnections.StatusException;
import dev.smc.transfer.remote.ReceiverConnections.Window;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * A repository on a {@link Receiver}, over HTTPS: {@code https://HOST:PORT/REPO} with the task's
 * bearer token, the receiver's certificate pinned by its fingerprint (or, without a pin, a
 * certificate a CA in the JDK's trust store signed, for the host name). Connections are kept and
 * reused ({@link ReceiverConnections}); any number of threads may call at once, each on its own
 * connection. A request that fails on the way (refused or dropped connection, a timeout, a stalled
 * write, 5xx) is sent again with backoff until {@link Options#retryFor} has passed; every request is safe to repeat, since an
 * upload of content already stored succeeds without change, and a pack or index upload whose reply
 * was lost is not sent again when the receiver has it. Uploads are paced by the caller's
 * {@link Backend.Pacer} piece by piece as they go onto the wire.
 */
public final class HttpsBackend implements Backend {
  private static final Duration FIRST_CONTACT = Duration.ofSeconds(15);
  /** The scheme of a receiver's endpoint on its Unix socket. */
  public static final String UNIX_SCHEME = "http+unix";
  private static final String ALLOWED = "https://HOST:PORT/REPO or " + UNIX_SCHEME + "://SOCKET/REPO";
  private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[Protocol.COPY_BUFFER]);

  private final String location;
  private final String repo;
  private final Options options;
  private final ReceiverConnections conns;
  private volatile long maxBody = Long.MAX_VALUE;
  /** The receiver's folder where it is on this machine and this agent sees it ({@link PeerFolder}), or null. */
  @Nullable
  private volatile PeerFolder peer;
  /** From this size on a pack is staged rather than sent, where the receiver allows it. */
  private static final int STAGE_FROM = 1 << 20;

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
    String host = uri.getHost();
    int port = uri.getPort() < 0 ? 443 : uri.getPort();
    this.repo = repo;
    this.options = options;
    this.location = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + repo;
    this.conns = new ReceiverConnections(host, port, location, options, repo);
  }

  private HttpsBackend(Path socket, String repo, Options options) throws IOException {
    this.repo = repo;
    this.options = options;
    this.location = unixEndpoint(socket, repo);
    this.conns = new ReceiverConnections(socket, location, options, repo);
  }

  /** The endpoint of repository {@code repo} on the receiver listening on the Unix socket {@code socket}. */
  public static String unixEndpoint(Path socket, String repo) {
    // percent-encoded, a space as %20: a '+' in the authority is a '+'
    return UNIX_SCHEME + "://" + Protocol.encode(socket.toAbsolutePath().toString()).replace("+", "%20") + "/" + repo;
  }

  /**
   * Opens {@code https://HOST:PORT/REPO}, or {@code http+unix://SOCKET/REPO} (SOCKET the absolute
   * path of a receiver's Unix socket on this machine, percent-encoded: {@code %2F} for each
   * {@code /}), and asks the receiver what it accepts, so a wrong token, pin or address fails here
   * with a clear message. Over a Unix socket there is no TLS (no network carries the bytes; the
   * pin and proxy are not used): the receiver admits only processes of its own user, and checks the
   * token as over HTTPS.
   */
  public static HttpsBackend open(String endpoint, Options options) throws IOException {
    if (isUnixEndpoint(endpoint)) {
      return hello(openUnix(endpoint, options));
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw InvalidSpecException.of("repo", endpoint, ALLOWED);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || path.length() < 2
        || path.indexOf('/', 1) >= 0 || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw InvalidSpecException.of("repo", endpoint, ALLOWED + " (one repository name, no user or query)");
    }
    return hello(new HttpsBackend(uri, checkedRepo(endpoint, path.substring(1)), options));
  }

  /** Whether {@code endpoint} names a receiver's Unix socket ({@code http+unix://...}). */
  public static boolean isUnixEndpoint(String endpoint) {
    return endpoint.regionMatches(true, 0, UNIX_SCHEME + "://", 0, UNIX_SCHEME.length() + 3);
  }

  private static HttpsBackend openUnix(String endpoint, Options options) throws IOException {
    String rest = endpoint.substring(UNIX_SCHEME.length() + 3);
    int slash = rest.indexOf('/');
    String repo = slash < 0 ? "" : rest.substring(slash + 1);
    if (repo.endsWith("/")) {
      repo = repo.substring(0, repo.length() - 1);
    }
    String socket;
    try {
      socket = slash <= 0 ? "" : java.net.URLDecoder.decode(rest.substring(0, slash).replace("+", "%2B"),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      socket = "";
    }
    if (!socket.startsWith("/") || repo.isEmpty() || repo.contains("/") || repo.contains("?")) {
      throw InvalidSpecException.of("repo", endpoint, UNIX_SCHEME + "://SOCKET/REPO, SOCKET an absolute path"
          + " with each / written %2F (one repository name, no query)");
    }
    return new HttpsBackend(Path.of(socket), checkedRepo(endpoint, repo), options);
  }

  private static String checkedRepo(String endpoint, String repo) {
    try {
      Protocol.checkRepo(repo);
    } catch (IllegalArgumentException e) {
      throw InvalidSpecException.of("repo", endpoint, e.getMessage());
    }
    return repo;
  }

  private static HttpsBackend hello(HttpsBackend b) throws IOException {
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
    String info = new String(conns.call("GET", "/" + Protocol.VERSION + "/" + repo + "/info", "info", null, Pacer.NONE,
        false, Map.of(), null, new Window(budget, FIRST_CONTACT), conns::readAll).array(), StandardCharsets.UTF_8).trim();
    for (String line : info.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 2 && f[0].equals(Protocol.MAX_BODY)) {
        maxBody = Long.parseLong(f[1]);
      }
      if (line.startsWith(Protocol.FOLDER + " ") && peer == null) {
        peer = PeerFolder.of(line.substring(Protocol.FOLDER.length() + 1));
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
    PeerFolder p = peer;
    if (p != null && p.stages() && name.startsWith("data/") && size >= STAGE_FROM
        && putStaged(p, target, name, data, pacer, arrived)) {
      return;
    }
    conns.call("PUT", target, name, data, pacer, false, Map.of(), arrived, Window.retrying(options.retryFor()), (c, r) -> {
      c.skipBody(r.length());
      return null;
    });
  }

  /** Whether this agent writes its packs into the receiver's folder itself and reads them from there. */
  boolean stagesPacks() {
    PeerFolder p = peer;
    return p != null && p.stages();
  }

  /**
   * Writes the pack into the receiver's {@code staging} folder itself (past the page cache, as a
   * local folder's put does) and asks the receiver to check it and make it the object: on one
   * machine the bytes need not go through the socket, for the receiver or this agent. False, with
   * nothing stored, when the folder takes no file or the receiver finds none there: the caller sends
   * the body then. A bandwidth limit paces the pack's size first, as for a local folder.
   */
  private boolean putStaged(PeerFolder p, String target, String name, ByteBuffer data, Pacer pacer,
      AlreadyDone arrived) throws IOException {
    pacer.acquireInSteps(data.remaining());
    Path file = p.stage(data);
    if (file == null) {
      return false; // the folder takes no more (gone, full): the bodies are sent from now on
    }
    try {
      conns.call("PUT", target + "&" + Protocol.STAGED + "=" + file.getFileName(), name, ByteBuffer.allocate(0),
          Pacer.NONE, false, Map.of(), arrived, Window.retrying(options.retryFor()), (c, r) -> {
            c.skipBody(r.length());
            return null;
          });
      return true;
    } catch (NoSuchFileException e) {
      p.notTheReceivers(); // the receiver finds no such file where it keeps its temporaries
      return false;
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  /** The size of {@code name} on the receiver, asked on {@code c}; -1 when it has none. */
  private long storedSize(HttpConnection c, String name) throws IOException {
    try {
      return conns.exchange(c, "HEAD", Protocol.objectPath(repo, name), name, null, Pacer.NONE, true, Map.of(),
          (cc, r) -> Long.parseLong(Objects.requireNonNull(r.header(Protocol.SIZE_HEADER), "size header")));
    } catch (StatusException e) {
      if (e.status == 404) {
        return -1;
      }
      throw e;
    }
  }

  /** The folder to read {@code name} from directly, or null: through the receiver. */
  @Nullable
  private LocalFolderBackend direct(String name) {
    PeerFolder p = peer;
    return p == null ? null : p.reader(name);
  }

  @Override
  public ByteBuffer get(String name) throws IOException {
    Backend.checkName(name);
    LocalFolderBackend f = direct(name);
    if (f != null) {
      return f.get(name);
    }
    return call("GET", Protocol.objectPath(repo, name), name, null, Pacer.NONE, false, conns::readAll);
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
    LocalFolderBackend f = direct(name);
    if (f != null) {
      f.read(name, offset, dst);
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
    LocalFolderBackend f = direct(name);
    if (f != null) {
      return f.size(name);
    }
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
        "list " + prefix, null, Pacer.NONE, false, conns::readAll).array(), StandardCharsets.UTF_8);
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
    conns.close();
    PeerFolder f = peer;
    if (f != null) {
      try {
        f.close();
      } catch (IOException e) {
        // read-only descriptors: nothing is lost
      }
    }
  }

  /** Closes the connections kept for reuse: the next request opens a new one. */
  void closeIdleConnections() {
    conns.closeIdleConnections();
  }

  // ---------------------------------------------------------------- requests

  private <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
      BodyReader<T> reader) throws IOException {
    return call(method, target, what, body, pacer, head, Map.of(), reader);
  }

  private <T> T call(String method, String target, String what, ByteBuffer body, Pacer pacer, boolean head,
      Map<String, String> extra, BodyReader<T> reader) throws IOException {
    return conns.call(method, target, what, body, pacer, head, extra, null, Window.retrying(options.retryFor()),
        reader);
  }

  @Override
  public String toString() {
    return "HttpsBackend[" + location + "]";
  }
}
