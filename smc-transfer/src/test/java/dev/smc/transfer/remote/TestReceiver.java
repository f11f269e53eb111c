package dev.smc.transfer.remote;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A receiver on loopback over folders of a test, with one token per repository it was given. */
final class TestReceiver implements AutoCloseable {
  final Path root;
  final Path certs;
  final Path tokens;
  final ConnectionLimits limits;
  Receiver receiver;

  TestReceiver(Path dir, String... repoTokenPairs) throws IOException {
    this(dir, ConnectionLimits.DEFAULTS, repoTokenPairs);
  }

  TestReceiver(Path dir, ConnectionLimits limits, String... repoTokenPairs) throws IOException {
    this.limits = limits;
    this.root = Files.createDirectories(dir.resolve("root"));
    this.certs = dir.resolve("certs");
    this.tokens = dir.resolve("tokens");
    StringBuilder sb = new StringBuilder("# repo token\n");
    for (int i = 0; i < repoTokenPairs.length; i += 2) {
      sb.append(repoTokenPairs[i]).append(' ').append(repoTokenPairs[i + 1]).append('\n');
    }
    Files.writeString(tokens, sb);
    start(0);
  }

  /**
   * For the backend contract: repositories r0..r99, token {@code token-N} for rN, without the check
   * of content against names (the contract stores arbitrary bytes under pack-like names), listening
   * on {@code unix} too when given.
   */
  static TestReceiver forContract(Path dir, String token, @javax.annotation.Nullable Path unix) throws IOException {
    String[] pairs = new String[200];
    for (int i = 0; i < 100; i++) {
      pairs[2 * i] = "r" + i;
      pairs[2 * i + 1] = token + "-" + i;
    }
    TestReceiver r = new TestReceiver(dir, pairs);
    r.verify = false;
    r.unix = unix;
    r.restart();
    return r;
  }

  boolean verify = true;
  /** A Unix socket to listen on as well (set before {@link #restart}), or null. */
  Path unix;

  void start(int port) throws IOException {
    receiver = Receiver.start(Receiver.Config.of(root, new InetSocketAddress("127.0.0.1", port), certs, tokens)
        .withVerifyContent(verify).withLimits(limits).withUnixSocket(Optional.ofNullable(unix)));
  }

  /** Stops and starts again on the same port with the same certificate. */
  void restart() throws IOException {
    restart(Duration.ZERO);
  }

  /** Stops, letting requests being served finish for up to {@code grace}, and starts again on the same port. */
  void restart(Duration grace) throws IOException {
    int port = receiver.port();
    receiver.close(grace);
    start(port);
  }

  /** The folder of repository {@code repo}. */
  Path folder(String repo) {
    return root.resolve(repo);
  }

  String endpoint(String repo) {
    return "https://127.0.0.1:" + receiver.port() + "/" + repo;
  }

  HttpsBackend.Options options(String token) {
    return HttpsBackend.Options.of(token, Optional.of(receiver.fingerprint()))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20));
  }

  HttpsBackend open(String repo, String token) throws IOException {
    return HttpsBackend.open(endpoint(repo), options(token));
  }

  /** Over the Unix socket ({@link #unix} must be set). */
  HttpsBackend openUnix(String repo, String token) throws IOException {
    return HttpsBackend.open(HttpsBackend.unixEndpoint(unix, repo), options(token));
  }

  @Override
  public void close() {
    receiver.close(Duration.ofSeconds(5));
  }
}
