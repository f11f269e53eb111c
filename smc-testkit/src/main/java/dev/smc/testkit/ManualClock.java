package dev.smc.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it, so a week of cycles, lock expiry or
 * retention runs in milliseconds. Thread-safe: clocks made by {@link #withZone} share the time.
 */
public final class ManualClock extends Clock {
  /** Where a clock made with {@link #ManualClock()} starts: 2025-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    this(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** Moves the time forward by {@code by} (which must not be negative); returns the new time. */
  public Instant advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("advance by " + by + ": must not be negative (use set to go back)");
    }
    return now.updateAndGet(t -> t.plus(by));
  }

  /** Sets the time, also backwards (to test clock steps). */
  public void set(Instant instant) {
    now.set(instant);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + ", " + zone + "]";
  }
}
