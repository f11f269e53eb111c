package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How the CLI writes sizes, rates, durations, times and the progress line. */
class FmtTest {
  @Test
  void sizesRatesDurationsAndTimesAreScaledAndShort() {
    assertEquals("512 B", Fmt.size(512));
    assertEquals("1.5 KiB", Fmt.size(1536));
    assertEquals("156.5 MiB/s", Fmt.rate(160246 * 1024.0));
    assertEquals("45s", Fmt.duration(Duration.ofSeconds(45)));
    assertEquals("1m23s", Fmt.duration(Duration.ofSeconds(83)));
    assertEquals("2h05m", Fmt.duration(Duration.ofMinutes(125)));
    assertEquals("3d04h", Fmt.duration(Duration.ofHours(76)));
    assertEquals("2026-12-02T04:19:07Z", Fmt.time(Instant.parse("2026-12-02T04:19:07.123456789Z")));
    assertEquals("-", Fmt.time(null));
  }
}
