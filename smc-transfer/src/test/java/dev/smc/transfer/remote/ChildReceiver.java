package dev.smc.transfer.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
   * {@code repoTokenPairs} its token, and waits (up to 60 s) until it listens.
   */
  static ChildReceiver start(Path dir, int heapMib, String... repoTokenPairs) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    StringBuilder tokens = new StringBuilder();
    for (int i = 0; i < repoTokenPairs.length; i += 2) {
      tokens.append(repoTokenPairs[i]).append(' ').append(repoTokenPairs[i + 1]).append('\n');
    }
    Files.writeString(dir.resolve("tokens"), tokens);
    Path ready = dir.resolve("ready");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMib + "m", "-cp", System.getProperty("java.class.path"), ReceiverMain.class.getName(),
        "--root", dir.resolve("root").toString(), "--listen", "127.0.0.1:0", "--cert-dir", dir.resolve("certs").toString(),
        "--tokens", dir.resolve("tokens").toString(), "--ready-file", ready.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("receiver.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(ready)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("the receiver did not start (" + (p.isAlive() ? "60 s" : "exit " + p.exitValue()) + "): "
            + Files.readString(dir.resolve("receiver.log")));
      }
      Thread.sleep(20); // a file another process writes: nothing to wait on but its appearance
    }
    String[] f = Files.readString(ready).trim().split(" ");
    return new ChildReceiver(dir, p, Integer.parseInt(f[0]), f[1]);
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
