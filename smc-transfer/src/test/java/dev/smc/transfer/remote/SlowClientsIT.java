package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.repo.Repository;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris against a receiver in a JVM of its own (a fixed {@value #HEAP_MIB} MiB heap): 1,000
 * connections from 127.0.0.2-127.0.0.17 that never finish what they started ({@link SlowClients}:
 * silent, a ClientHello a byte a second, a request head a byte a second after the handshake), each
 * connecting again when cut. Meanwhile an agent on 127.0.0.1 runs a full and an incremental cycle,
 * uploads and reads back large objects (4 at once, 48 MiB each) and restores both images exactly.
 * The receiver cuts every kind of attacker within its deadline for the first request's head (10 s,
 * with slack for a loaded machine), and its resident memory (VmRSS, sampled every 100 ms) stays under
 * {@value #RSS_BOUND_MIB} MiB throughout: it does not grow with the connections held or the size and
 * number of uploads (bodies go to a file, not to memory).
 */
class SlowClientsIT {
  private static final String TOKEN = "slowloris-token-r1-0123456789abcdef";
  private static final String BULK_TOKEN = "slowloris-token-bulk-0123456789abcdef";
  private static final int HEAP_MIB = 160;
  private static final int ATTACKERS = 1000;
  /**
   * The heap (160 MiB, all of it committed under this load) plus about 240 MiB: ~110 MiB of thread
   * stacks for ~1,100 connections, ~45 MiB of the collector's own, code, classes and buffers.
   * Measured 2026-12-01 (2 cores, JDK 17, G1): 306-328 MiB at the peak, 85-97 MiB idle.
   */
  private static final long RSS_BOUND_MIB = 400;
  private static final int BULK_OBJECT = 48 << 20;

  @TempDir
  Path tmp;

  @Test
  void aMigrateAndARestoreRunThroughAThousandSlowConnectionsWithTheReceiversMemoryBounded() throws Exception {
    Path src = CycleChecks.smallTree(tmp.resolve("src"), 23);
    List<InetAddress> from = new ArrayList<>();
    for (int i = 2; i <= 17; i++) {
      from.add(InetAddress.getByName("127.0.0." + i));
    }
    try (ChildReceiver receiver = ChildReceiver.start(tmp.resolve("receiver"), HEAP_MIB, "r1", TOKEN, "bulk", BULK_TOKEN)) {
      AtomicLong peakRss = new AtomicLong();
      AtomicLong peakHeld = new AtomicLong();
      SlowClients[] attack = new SlowClients[1];
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peakRss.accumulateAndGet(receiver.rssKib(), Math::max);
          if (attack[0] != null) {
            peakHeld.accumulateAndGet(attack[0].held(), Math::max);
          }
          try {
            Thread.sleep(100); // a sampling period, not synchronisation
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();
      long idleRss = receiver.rssKib();
      try (SlowClients slow = SlowClients.start(new InetSocketAddress("127.0.0.1", receiver.port), receiver.fingerprint,
          from, ATTACKERS)) {
        attack[0] = slow;
        assertTrue(slow.awaitConnected(Duration.ofSeconds(60)), slow.notConnected() + " of " + ATTACKERS
            + " attackers could not connect in 60 s");
        long start = System.nanoTime();
        Map<ImageRef, Path> expected = new LinkedHashMap<>();
        try (Repository repo = CycleChecks.repository(HttpsBackend.open(receiver.endpoint("r1"), receiver.options(TOKEN)))) {
          CycleReport full = CycleChecks.cycle(repo, src, "web", TransferOptions.DEFAULTS);
          assertEquals(CycleType.FULL, full.type());
          Trees.snapshot(src, tmp.resolve("at-1"));
          expected.put(full.image(), tmp.resolve("at-1"));
          Trees.write(Trees.join(Trees.bytes(src), "d0/new-in-cycle-2.bin"), new byte[400_000]);
          Trees.write(Trees.join(Trees.bytes(src), "d1/file-1.bin"), "changed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          CycleReport incremental = CycleChecks.cycle(repo, src, "web", TransferOptions.DEFAULTS);
          assertEquals(CycleType.INCREMENTAL, incremental.type());
          Trees.snapshot(src, tmp.resolve("at-2"));
          expected.put(incremental.image(), tmp.resolve("at-2"));
        }
        long migrated = System.nanoTime();
        bulk(receiver);
        long bulked = System.nanoTime();
        CycleChecks.assertRestoresAndChecksClean(HttpsBackend.open(receiver.endpoint("r1"), receiver.options(TOKEN)),
            receiver.dir.resolve("root").resolve("r1"), expected, tmp.resolve("restored"));
        long restored = System.nanoTime();
        System.out.printf("under attack: migrate (full + incremental) %d ms, bulk %d ms, restore %d ms; %d attackers"
            + " connected at once at the most%n", (migrated - start) / 1_000_000, (bulked - migrated) / 1_000_000,
            (restored - bulked) / 1_000_000, peakHeld.get());

        assertTrue(slow.awaitCutEachKind(Duration.ofSeconds(60)), "the receiver did not cut a held connection of"
            + " every kind in 60 s: " + tallies(slow));
        for (SlowClients.Kind k : SlowClients.Kind.values()) {
          long longest = slow.tally(k).longestHeldMs.get();
          assertTrue(longest <= 15_000, k + ": a connection was held " + longest + " ms; the deadline for the first"
              + " request's head is 10 s: " + tallies(slow));
        }
        assertTrue(peakHeld.get() >= ATTACKERS * 9 / 10, "at most " + peakHeld.get() + " of " + ATTACKERS
            + " attackers were connected at once: the attack was not held");
      } finally {
        sampler.interrupt();
        sampler.join();
      }
      System.out.printf("receiver VmRSS: %d MiB idle, %d MiB at most under attack (bound %d MiB)%n", idleRss >> 10,
          peakRss.get() >> 10, RSS_BOUND_MIB);
      assertTrue(peakRss.get() >> 10 < RSS_BOUND_MIB, "the receiver's VmRSS reached " + (peakRss.get() >> 10)
          + " MiB; bound " + RSS_BOUND_MIB + " MiB (-Xmx" + HEAP_MIB + "m)\n" + receiver.log());
    }
  }

  /** 4 threads each upload 2 objects of 48 MiB and read them back. */
  private static void bulk(ChildReceiver receiver) throws Exception {
    byte[] content = new byte[BULK_OBJECT];
    new SplittableRandom(7).nextBytes(content);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Backend b = HttpsBackend.open(receiver.endpoint("bulk"), receiver.options(BULK_TOKEN))) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int n = 0; n < 2; n++) {
            String name = "bulk/o-" + thread + "-" + n;
            b.put(name, ByteBuffer.wrap(content), Backend.PutMode.CREATE_NEW);
            assertEquals(ByteBuffer.wrap(content), b.get(name), name + " read back");
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String tallies(SlowClients slow) {
    StringBuilder sb = new StringBuilder();
    for (SlowClients.Kind k : SlowClients.Kind.values()) {
      sb.append(k).append(": ").append(slow.tally(k)).append("; ");
    }
    return sb.toString();
  }
}
