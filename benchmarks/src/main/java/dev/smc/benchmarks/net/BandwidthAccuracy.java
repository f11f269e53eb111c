package dev.smc.benchmarks.net;

import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.remote.Receiver;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How exact the bandwidth limit is on the wire: a cycle writes incompressible chunks through a
 * receiver on loopback with a limit, and a relay between them counts the bytes the agent sends,
 * every 100 ms. Prints, per limit, the rate over every 10 s window of the run against the limit.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.smc.benchmarks.net.BandwidthAccuracy [KBPS...] [--seconds S]</pre>
 * Defaults: 1024 and 20480 KiB/s (1 and 20 MiB/s), 25 s each.
 */
public final class BandwidthAccuracy {
  private static final String TOKEN = "bandwidth-benchmark-token-0123456789";

  private static int produced;

  private BandwidthAccuracy() {}

  public static void main(String[] args) throws Exception {
    List<Long> limits = new ArrayList<>();
    int seconds = 25;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds")) {
        seconds = Integer.parseInt(args[++i]);
      } else {
        limits.add(Long.parseLong(args[i]));
      }
    }
    if (limits.isEmpty()) {
      limits = List.of(1024L, 20480L);
    }
    Path dir = Files.createTempDirectory("smc-bw");
    Files.writeString(dir.resolve("tokens"), "bw " + TOKEN + "\n");
    try (Receiver receiver = Receiver.start(Receiver.Config.of(dir.resolve("root"),
        new InetSocketAddress("127.0.0.1", 0), dir.resolve("certs"), dir.resolve("tokens")));
        Relay relay = new Relay(receiver.port())) {
      System.out.printf("%-10s %-10s %-12s %-12s %-12s %s%n", "limit", "seconds", "mean", "min 10 s", "max 10 s",
          "worst deviation");
      for (long kbps : limits) {
        run(receiver, relay, kbps, seconds);
      }
    }
  }

  private static void run(Receiver receiver, Relay relay, long kbps, int seconds) throws Exception {
    HttpsBackend backend = HttpsBackend.open("https://127.0.0.1:" + relay.port() + "/bw",
        HttpsBackend.Options.of(TOKEN, Optional.of(receiver.fingerprint())));
    List<Long> samples = new ArrayList<>();
    try (Repository repo = Repository.open(backend, Repository.options())) {
      TransferOptions options = TransferOptions.builder().bandwidthLimitKBps(kbps).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      Thread sampler = new Thread(() -> {
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
          synchronized (samples) {
            samples.add(relay.up.get());
          }
          next += 100_000_000L;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            try {
              Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      });
      try (ImageStore.ImageWriter w = repo.newImage("bw" + kbps, ImageKind.FILES, options)) {
        SplittableRandom random = new SplittableRandom(kbps);
        byte[] chunk = new byte[1 << 20];
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sampler.start();
        while (System.nanoTime() < deadline) {
          for (int i = 0; i < chunk.length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
              chunk[i + k] = (byte) (v >>> (8 * k));
            }
          }
          w.putChunk(ChunkId.of(sha.digest(chunk)), ByteBuffer.wrap(chunk));
        }
        // the writer keeps sending what it holds; windows end here, while the source still produced
        synchronized (samples) {
          produced = samples.size();
        }
        sampler.interrupt();
        sampler.join();
      }
    }
    report(kbps, samples.subList(0, produced));
  }

  private static void report(long kbps, List<Long> samples) {
    double limit = kbps * 1024.0;
    int window = 100; // 10 s of 100 ms samples
    double min = Double.MAX_VALUE;
    double max = 0;
    // windows start after the first second: the connection opens and the writer's first pack fills
    for (int s = 10; s + window < samples.size(); s++) {
      double rate = (samples.get(s + window) - samples.get(s)) / 10.0;
      min = Math.min(min, rate);
      max = Math.max(max, rate);
    }
    int last = samples.size() - 1;
    double mean = (samples.get(last) - samples.get(10)) / ((last - 10) / 10.0);
    double lo = min / limit - 1;
    double hi = max / limit - 1;
    System.out.printf("%-10s %-10.1f %-12s %-12s %-12s %+.2f %%%n", kbps + " KiB/s", samples.size() / 10.0,
        kib(mean), kib(min), kib(max), 100 * (Math.abs(hi) >= Math.abs(lo) ? hi : lo));
  }

  private static String kib(double bytesPerSecond) {
    return String.format("%.0f KiB/s", bytesPerSecond / 1024);
  }

  /** A TCP relay that counts the bytes going up (agent to receiver). */
  private static final class Relay implements AutoCloseable {
    final AtomicLong up = new AtomicLong();
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new ArrayList<>();

    Relay(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "relay-accept");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket a = server.accept();
          Socket b = new Socket(java.net.InetAddress.getLoopbackAddress(), target);
          synchronized (sockets) {
            sockets.add(a);
            sockets.add(b);
          }
          pump(a, b, up);
          pump(b, a, new AtomicLong());
        }
      } catch (IOException e) {
        // closed
      }
    }

    private static void pump(Socket from, Socket to, AtomicLong count) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            count.addAndGet(n);
          }
        } catch (IOException e) {
          // one side closed
        } finally {
          try {
            to.shutdownOutput();
          } catch (IOException e) {
            // already closed
          }
        }
      }, "relay-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }
}
