package dev.smc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long MIB = 1 << 20;

  private static Progress p(long scanned, long total, boolean estimated, long read, long sent, double scanRate,
      double readRate, double sentRate) {
    return new Progress(scanned, total, estimated, read, sent, sent, 10, scanRate, readRate, sentRate,
        Duration.ofSeconds(9));
  }

  @Test
  void anEstimatedTotalGivesAPercentFromTheStart() {
    Progress first = p(0, 1000 * MIB, true, 0, 0, 0, 0, 0);
    assertEquals(0.0, first.percent());
    assertTrue(first.totalEstimated());
    assertEquals(25.0, p(250 * MIB, 1000 * MIB, true, 250 * MIB, 0, 0, 0, 0).percent());
    assertEquals(100.0, p(5, 0, false, 0, 0, 0, 0, 0).percent(), "nothing to do is done");
    assertEquals(100.0, p(12, 10, true, 0, 0, 0, 0, 0).percent(), "never past 100");
  }

  @Test
  void theEtaComesFromTheSentRateWhenSendingIsWhatLimits() {
    // 100 MiB done, 300 MiB left; everything read is sent (nothing deduplicated): 300 MiB to send at 1 MiB/s,
    // 300 MiB to read at 50 MiB/s
    Progress bwlimit = p(100 * MIB, 400 * MIB, false, 100 * MIB, 100 * MIB, 1 * MIB, 50 * MIB, 1 * MIB);
    assertEquals(Optional.of(Duration.ofSeconds(300)), bwlimit.eta());
    // half of what is read was new: 150 MiB left to send at 1 MiB/s
    Progress dedup = p(100 * MIB, 400 * MIB, false, 100 * MIB, 50 * MIB, 1 * MIB, 50 * MIB, 1 * MIB);
    assertEquals(Optional.of(Duration.ofSeconds(150)), dedup.eta());
  }

  @Test
  void storedBytesThatHaveNotLeftCountInThePercentAndTheEta() {
    // everything read; 8 MiB stored of which 2 MiB have left, at 1 MiB/s
    Progress tail = new Progress(400 * MIB, 400 * MIB, false, 400 * MIB, 8 * MIB, 2 * MIB, 10, 0, 0, 1 * MIB,
        Duration.ofSeconds(9));
    assertEquals(25.0, tail.percent(), "a quarter of what the cycle stores has left");
    assertEquals(Optional.of(Duration.ofSeconds(6)), tail.eta());
    Progress sent = new Progress(400 * MIB, 400 * MIB, false, 400 * MIB, 8 * MIB, 8 * MIB + 300, 10, 0, 0, 1 * MIB,
        Duration.ofSeconds(9));
    assertEquals(100.0, sent.percent(), "framing makes more sent than stored");
    assertEquals(Optional.of(Duration.ZERO), sent.eta());
    // half the source scanned, half of it stored, 90 of the 100 MiB stored have left: 90 of 200 MiB to store
    Progress half = new Progress(200 * MIB, 400 * MIB, false, 200 * MIB, 100 * MIB, 90 * MIB, 10, 0, 0, MIB,
        Duration.ofSeconds(9));
    assertEquals(45.0, half.percent());
    assertEquals(99.9, new Progress(400 * MIB, 400 * MIB, false, 0, 8 * MIB, 8 * MIB - 1, 10, 0, 0, MIB,
        Duration.ofSeconds(9)).percent(), "a byte still to leave");
  }

  @Test
  void theEtaComesFromTheReadRateWhenReadingIsWhatLimits() {
    Progress slowDisk = p(100 * MIB, 400 * MIB, false, 100 * MIB, 10 * MIB, 2 * MIB, 2 * MIB, 50 * MIB);
    assertEquals(Optional.of(Duration.ofSeconds(150)), slowDisk.eta());
  }

  @Test
  void theEtaFallsBackToTheScanRateWhenNothingIsReadOrSent() {
    Progress reusing = p(100 * MIB, 400 * MIB, false, 0, 0, 100 * MIB, 0, 0);
    assertEquals(Optional.of(Duration.ofSeconds(3)), reusing.eta());
    assertEquals(Optional.empty(), p(100 * MIB, 400 * MIB, false, 0, 0, 0, 0, 0).eta(), "no rate at all");
    assertEquals(Optional.of(Duration.ZERO), p(400 * MIB, 400 * MIB, false, 9, 9, 0, 0, 0).eta(), "done");
  }

  @Test
  void theSevenComponentConstructorStillWorksWithAnExactTotal() {
    Progress old = new Progress(50, 200, 50, 10, 3, 25, Duration.ofSeconds(2));
    assertFalse(old.totalEstimated());
    assertEquals(0.0, old.readBytesPerSecond());
    assertEquals(0.0, old.sentBytesPerSecond());
    assertEquals(25.0, old.percent());
    assertEquals(Duration.ofSeconds(6), old.eta().orElseThrow());
    assertEquals(-1, new Progress(5, -1, 5, 0, 1, 1, Duration.ZERO).percent(), "no total at all");
    assertEquals(Optional.empty(), new Progress(5, -1, 5, 0, 1, 1, Duration.ZERO).eta());
  }

  @Test
  void badValuesAreRefusedNamingTheFieldAndTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p(0, -2, true, 0, 0, 0, 0, 0));
    assertEquals("bytesTotal -2: must be >= -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> p(0, 1, true, 0, 0, 0, 0, Double.NaN));
    assertEquals("sentBytesPerSecond NaN: must be a finite rate >= 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> p(-1, 1, true, 0, 0, 0, 0, 0));
    assertTrue(e.getMessage().startsWith("bytesScanned -1"), e.getMessage());
  }
}
