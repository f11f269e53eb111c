package dev.smc.transfer.internal;

import dev.smc.Progress;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns a cycle's counters into {@link Progress} snapshots, shared by both engines: the total (estimated until the
 * engine knows it exactly) and the scan, read and sent rates over the last few seconds rather than since the start,
 * so a rate says what the link carries now (under {@code --bwlimit} the sent rate is about the limit). Not
 * thread-safe: one engine thread calls it.
 */
public final class ProgressMeter {
  /** How far back the rates look. */
  static final long WINDOW_NANOS = 5_000_000_000L;
  private static final long TICK_MILLIS = 250;

  private final LongSupplier nanoTime;
  private final long started;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long total = -1;
  private boolean estimated;

  private record Sample(long at, long scanned, long read, long sent) {}

  /** @param nanoTime a monotonic clock (System::nanoTime, or a fake one in tests); the cycle starts now */
  public ProgressMeter(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
    samples.add(new Sample(started, 0, 0, 0));
  }

  /** Sets an estimated total, replacing an earlier estimate; ignored once the exact total is set. */
  public ProgressMeter estimate(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes " + bytes + ": must be >= 0");
    }
    if (total < 0 || estimated) {
      total = bytes;
      estimated = true;
    }
    return this;
  }

  /** Raises an estimate below {@code bytes} to it (the count so far passed it); nothing when there is no estimate. */
  public ProgressMeter raiseEstimate(long bytes) {
    if (estimated && total < bytes) {
      total = bytes;
    }
    return this;
  }

  /** Sets the exact total. */
  public ProgressMeter exact(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes " + bytes + ": must be >= 0");
    }
    total = bytes;
    estimated = false;
    return this;
  }

  /** Time since the cycle started. */
  public Duration elapsed() {
    return Duration.ofNanos(nanoTime.getAsLong() - started);
  }

  /**
   * A snapshot of the counters now. An estimate smaller than what was already scanned is raised to it, so the
   * percent never passes 100 before the end.
   */
  public Progress snapshot(long scanned, long read, long stored, long sent, long files) {
    long now = nanoTime.getAsLong();
    Sample s = new Sample(now, scanned, read, sent);
    samples.addLast(s);
    // keep the newest sample at least a window old as the window's start
    while (samples.size() > 2) {
      Iterator<Sample> it = samples.iterator();
      it.next();
      if (now - it.next().at < WINDOW_NANOS) {
        break;
      }
      samples.removeFirst();
    }
    Sample from = samples.getFirst();
    double secs = (now - from.at) / 1e9;
    long shown = total < 0 ? -1 : Math.max(total, scanned);
    return new Progress(scanned, shown, estimated, read, stored, sent, files, rate(scanned - from.scanned, secs),
        rate(read - from.read, secs), rate(sent - from.sent, secs), Duration.ofNanos(now - started));
  }

  /**
   * Runs {@code work} (a commit that waits for the last packs to leave) while {@code tick} is called every quarter
   * second on one of {@code pool}'s threads, so progress goes on being reported while nothing else calls it; the
   * ticks have stopped when this returns.
   */
  public static <T> T ticking(ExecutorService pool, Runnable tick, IoWork<T> work) throws IOException {
    CountDownLatch done = new CountDownLatch(1);
    Future<?> ticker = pool.submit(() -> {
      try {
        while (!done.await(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
          tick.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      return work.run();
    } finally {
      done.countDown();
      try {
        ticker.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        Cycles.rethrow(e.getCause()); // a tick does not throw (listeners are called safely); if it did, say so
      }
    }
  }

  /** Work that may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface IoWork<T> {
    T run() throws IOException;
  }

  private static double rate(long bytes, double secs) {
    return secs <= 0 || bytes <= 0 ? 0 : bytes / secs;
  }
}
