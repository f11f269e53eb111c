package dev.smc.transfer.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A token bucket shared by every stream of one cycle: callers take the bytes they are about to
 * send and are parked until the bucket allows them. Bursts are capped at a quarter second of rate,
 * so the rate holds over any window of a few seconds. Thread-safe.
 */
public final class Throttle {
  /** No limit: {@link #acquire} returns at once. */
  public static final Throttle UNLIMITED = new Throttle(0, System::nanoTime, LockSupport::parkNanos);

  /** Waits a number of nanoseconds (parking in production, advancing a fake clock in tests). */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos);
  }

  private final double bytesPerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private double tokens;
  private long last;

  /** @param bytesPerSecond the rate; 0 = unlimited */
  public Throttle(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond " + bytesPerSecond + ": must be >= 0");
    }
    this.bytesPerNano = bytesPerSecond / 1e9;
    this.burst = Math.max(64 * 1024, bytesPerSecond / 4.0);
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.last = nanoTime.getAsLong();
  }

  /** A throttle of {@code kbps} KiB/s on the system's monotonic clock; 0 = unlimited. */
  public static Throttle ofKBps(long kbps) {
    return kbps <= 0 ? UNLIMITED : new Throttle(kbps * 1024, System::nanoTime, LockSupport::parkNanos);
  }

  /** Blocks until {@code bytes} may be sent. */
  public void acquire(long bytes) {
    if (bytesPerNano == 0 || bytes <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      tokens = Math.min(burst, tokens + (now - last) * bytesPerNano);
      last = now;
      tokens -= bytes;
      waitNanos = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerNano);
    }
    while (waitNanos > 0) {
      long start = nanoTime.getAsLong();
      sleeper.sleepNanos(waitNanos);
      waitNanos -= nanoTime.getAsLong() - start;
    }
  }
}
