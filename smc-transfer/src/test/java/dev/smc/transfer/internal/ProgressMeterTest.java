package dev.smc.transfer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.Progress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MIB = 1 << 20;
  private final AtomicLong now = new AtomicLong(1234 * SECOND);

  @Test
  void anEstimateIsReplacedByTheExactTotalAndNeverComesBack() {
    ProgressMeter m = new ProgressMeter(now::get).estimate(100 * MIB);
    Progress first = m.snapshot(0, 0, 0, 0, 0);
    assertEquals(100 * MIB, first.bytesTotal());
    assertTrue(first.totalEstimated());
    assertEquals(0.0, first.percent());
    m.raiseEstimate(120 * MIB);
    assertEquals(120 * MIB, m.snapshot(0, 0, 0, 0, 0).bytesTotal(), "the walk counted past the estimate");
    m.exact(80 * MIB).estimate(500 * MIB).raiseEstimate(900 * MIB);
    Progress exact = m.snapshot(80 * MIB, 80 * MIB, 10 * MIB, 10 * MIB, 7);
    assertEquals(80 * MIB, exact.bytesTotal());
    assertFalse(exact.totalEstimated());
    assertEquals(100.0, exact.percent());
    assertThrows(IllegalArgumentException.class, () -> m.estimate(-1));
  }

  @Test
  void withoutAnEstimateThereIsNoTotal() {
    ProgressMeter m = new ProgressMeter(now::get).raiseEstimate(10);
    assertEquals(-1, m.snapshot(5, 5, 5, 5, 1).bytesTotal());
  }

  @Test
  void ratesAreOverTheLastFewSecondsNotSinceTheStart() {
    ProgressMeter m = new ProgressMeter(now::get).exact(1000 * MIB);
    // 10 s at 20 MiB/s read, 2 MiB/s sent ...
    for (int s = 1; s <= 10; s++) {
      now.addAndGet(SECOND);
      m.snapshot(s * 20 * MIB, s * 20 * MIB, s * 2 * MIB, s * 2 * MIB, s);
    }
    // ... then 10 s at 5 MiB/s read, 1 MiB/s sent (a bandwidth limit set in)
    Progress p = null;
    for (int s = 1; s <= 10; s++) {
      now.addAndGet(SECOND);
      long done = 200 * MIB + s * 5 * MIB;
      p = m.snapshot(done, done, 20 * MIB + s * MIB, 20 * MIB + s * MIB, 10 + s);
    }
    assertEquals(5.0 * MIB, p.readBytesPerSecond(), 1);
    assertEquals(5.0 * MIB, p.bytesPerSecond(), 1);
    assertEquals(1.0 * MIB, p.sentBytesPerSecond(), 1);
    assertEquals(Duration.ofSeconds(20), p.elapsed());
    // 750 MiB left; 40 MiB of 250 sent so far: 120 MiB to send at 1 MiB/s, 750 MiB to read at 5 MiB/s = 150 s
    assertEquals(Duration.ofSeconds(150), p.eta().orElseThrow());
  }

  @Test
  void ticksGoOnWhileTheWorkWaitsAndStopWhenItEnds() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      AtomicLong ticks = new AtomicLong();
      String r = ProgressMeter.ticking(pool, ticks::incrementAndGet, () -> {
        LockSupport.parkNanos(1_100_000_000L);
        return "committed";
      });
      assertEquals("committed", r);
      long seen = ticks.get();
      assertTrue(seen >= 3 && seen <= 5, seen + " ticks in 1.1 s");
      LockSupport.parkNanos(600_000_000L);
      assertEquals(seen, ticks.get(), "no tick after the work");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStallShowsAsNoRate() {
    ProgressMeter m = new ProgressMeter(now::get).exact(100);
    now.addAndGet(SECOND);
    m.snapshot(50, 50, 50, 50, 1);
    now.addAndGet(6 * SECOND);
    m.snapshot(50, 50, 50, 50, 1);
    now.addAndGet(6 * SECOND);
    Progress p = m.snapshot(50, 50, 50, 50, 1);
    assertEquals(0.0, p.readBytesPerSecond());
    assertEquals(0.0, p.sentBytesPerSecond());
  }
}
