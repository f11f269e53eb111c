package dev.smc.benchmarks.net;

import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.testkit.FaultProxy;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.remote.Receiver;
import dev.smc.transfer.repo.Repository;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * How exact the bandwidth limit is on the wire: a cycle writes incompressible chunks through a
 * receiver on loopback with a limit, and a relay between them (the test kit's {@link FaultProxy},
 * with no fault armed) counts the bytes the agent sends, every 100 ms. Prints, per limit, the rate over every 10 s window of the run against the limit.
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
        FaultProxy relay = FaultProxy.start(new InetSocketAddress("127.0.0.1", receiver.port()))) {
      System.out.printf("%-10s %-10s %-12s %-12s %-12s %s%n", "limit", "seconds", "mean", "min 10 s", "max 10 s",
          "worst deviation");
      for (long kbps : limits) {
        run(receiver, relay, kbps, seconds);
      }
    }
  }

  private static void run(Receiver receiver, FaultProxy relay, long kbps, int seconds) throws Exception {
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
            samples.add(relay.bytes(FaultProxy.Direction.UPSTREAM));
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
}
