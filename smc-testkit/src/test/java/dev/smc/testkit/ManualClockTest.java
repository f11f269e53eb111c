package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void standsStillUntilAdvancedOrSet() {
    ManualClock clock = new ManualClock();
    assertEquals(ManualClock.DEFAULT_START, clock.instant());
    assertEquals(ManualClock.DEFAULT_START, clock.instant());
    assertEquals(ManualClock.DEFAULT_START.plus(Duration.ofDays(7)), clock.advance(Duration.ofDays(7)));
    assertEquals(ManualClock.DEFAULT_START.toEpochMilli() + 7 * 86_400_000L, clock.millis());
    clock.set(Instant.EPOCH);
    assertEquals(Instant.EPOCH, clock.instant());
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
  }

  @Test
  void aClockInAnotherZoneSharesTheTime() {
    ManualClock clock = new ManualClock(Instant.parse("2030-06-01T12:00:00Z"));
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    assertEquals(ZoneId.of("Europe/Paris"), paris.getZone());
    clock.advance(Duration.ofHours(1));
    assertEquals(Instant.parse("2030-06-01T13:00:00Z"), paris.instant());
  }
}
