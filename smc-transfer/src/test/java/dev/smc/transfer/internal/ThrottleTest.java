package dev.smc.transfer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  /** A fake monotonic clock that only moves when the throttle sleeps. */
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private Throttle throttle(long bytesPerSecond) {
    return new Throttle(bytesPerSecond, now::get, now::addAndGet);
  }

  @Test
  void holdsTheRateOverManyChunks() {
    Throttle t = throttle(1 << 20); // 1 MiB/s
    long start = now.get();
    for (int i = 0; i < 160; i++) {
      t.acquire(64 * 1024); // 10 MiB in 64 KiB chunks
    }
    double seconds = (now.get() - start) / 1e9;
    // the bucket starts empty and allows a quarter second of burst at most
    assertTrue(seconds >= 9.99 && seconds <= 10.01, "10 MiB at 1 MiB/s took " + seconds + " s");
  }

  @Test
  void letsAQuarterSecondBurstThroughAfterIdling() {
    Throttle t = throttle(4 << 20);
    now.addAndGet(5_000_000_000L); // idle for 5 s: the bucket fills to its cap, not to 20 MiB
    long start = now.get();
    t.acquire(1 << 20); // within the 1 MiB burst
    assertEquals(start, now.get());
    t.acquire(4 << 20); // the next 4 MiB wait one second
    assertEquals(1.0, (now.get() - start) / 1e9, 0.001);
  }

  @Test
  void unlimitedNeverWaits() {
    Throttle t = throttle(0);
    long start = now.get();
    t.acquire(1L << 40);
    assertEquals(start, now.get());
    assertTrue(Throttle.ofKBps(0) == Throttle.UNLIMITED);
  }

  @Test
  void refusesANegativeRate() {
    assertThrows(IllegalArgumentException.class, () -> throttle(-1));
  }
}
