package dev.smc.transfer.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code smc receiver} ({@link ReceiverMain}) in a JVM of its own with a fixed heap, on 127.0.0.1,
 * for tests that measure its memory ({@link #rssKib}, from {@code /proc/PID/status}) or kill it.
 * Not thread-safe, except {@link #rssKib}.
 */
final class ChildReceiver implements AutoCloseable {
  final Path dir;
  final Process process;
  final int port;
  final String fingerprint;

  private ChildReceiver(Path dir, Process process, int port, String fingerprint) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.fingerprint = fingerprint;
  }

  /**
   * Starts a receiver under {@code dir} with {@code -Xmx<heapMib>m}, allowing each repository of
   * {@code repoTokenPairs} its token, and waits (up to 60 s) until it says it listens.
   */
  static ChildReceiver start(Path dir, int heapMib, String... repoTokenPairs) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    StringBuilder tokens = new StringBuilder();
    for (int i = 0; i < repoTokenPairs.length; i += 2) {
      tokens.append(repoTokenPairs[i]).append(' ').append(repoTokenPairs[i + 1]).append('\n');
    }
    Files.writeString(dir.resolve("tokens"), tokens);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMib + "m", "-cp", System.getProperty("java.class.path"), ReceiverMain.class.getName(),
        "--root", dir.resolve("root").toString(), "--listen", "127.0.0.1:0", "--cert-dir", dir.resolve("certs").toString(),
        "--tokens", dir.resolve("tokens").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    // its output goes to receiver.log; the line "listening https://HOST:PORT fingerprint F" says it serves
    CompletableFuture<String> listening = new CompletableFuture<>();
    Path log = dir.resolve("receiver.log");
    Thread drain = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          Writer w = Files.newBufferedWriter(log)) {
        for (String line; (line = r.readLine()) != null; ) {
          w.write(line + "\n");
          w.flush();
          if (line.startsWith("listening https://")) {
            listening.complete(line);
          }
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IOException("the receiver's output ended before it listened"));
    }, "receiver-output");
    drain.setDaemon(true);
    drain.start();
    String line;
    try {
      line = listening.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IOException("the receiver did not start: " + e + "\n" + Files.readString(log), e);
    }
    String[] f = line.split(" "); // listening https://127.0.0.1:PORT fingerprint sha256:HEX
    int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1));
    return new ChildReceiver(dir, p, port, f[3]);
  }

  /** The resident set of the receiver's process (VmRSS), in KiB; -1 once it has ended. */
  long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      // ended
    }
    return -1;
  }

  String endpoint(String repo) {
    return "https://127.0.0.1:" + port + "/" + repo;
  }

  HttpsBackend.Options options(String token) {
    return HttpsBackend.Options.of(token, Optional.of(fingerprint))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30));
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("receiver.log"));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: the receiver finishes its requests and exits
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
