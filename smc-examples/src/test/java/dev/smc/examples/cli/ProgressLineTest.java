package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ImageRef;
import dev.smc.Progress;
import dev.smc.TaskId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  private static final long MIB = 1 << 20;

  /** 512 MiB of an estimated 1 GiB, 1200 files, read at 32 MiB/s, sent at 4 MiB/s (the limit). */
  private static Progress estimated() {
    return new Progress(512 * MIB, 1024 * MIB, true, 512 * MIB, 256 * MIB, 250 * MIB, 1200, 32 * MIB, 32 * MIB,
        4 * MIB, Duration.ofSeconds(64));
  }

  @Test
  void at80ColumnsTheLineSaysPercentTotalReadAndSentWithRatesAndEta() {
    String line = ProgressLine.text(estimated(), 80);
    assertTrue(line.length() <= 79, line.length() + ": " + line);
    // 250 of the 512 MiB it will store have left; 512 MiB left to scan, half of it to store: 256 MiB to store
    // and 6 MiB stored not sent yet, at 4 MiB/s: 65.5 s
    assertEquals("~48.8% 512.0 MiB of ~1.0 GiB, read 32.0 MiB/s, sent 4.0 MiB/s, ETA 1m06s", line);
    String wide = ProgressLine.text(estimated(), 200);
    assertEquals("~48.8% 512.0 MiB of ~1.0 GiB, 1200 files, read 512.0 MiB at 32.0 MiB/s, sent 250.0 MiB at"
        + " 4.0 MiB/s, ETA 1m06s", wide);
  }

  @Test
  void at40ColumnsTheLineKeepsPercentAndEtaAndIsNeverWider() {
    String line = ProgressLine.text(estimated(), 40);
    assertEquals("~48.8% 512.0 MiB of ~1.0 GiB, ETA 1m06s", line);
    Progress exact = new Progress(3 * MIB, 7 * MIB, false, 3 * MIB, MIB, MIB, 0, MIB, MIB, MIB, Duration.ZERO);
    assertEquals("42.9% 3.0 MiB of 7.0 MiB, sent 1.0 MiB/s, ETA 4s", ProgressLine.text(exact, 60),
        "a disk has no files; without '~' the total is exact");
    for (int w = 1; w <= 120; w++) {
      assertTrue(ProgressLine.text(estimated(), w).length() <= Math.max(1, w - 1), "width " + w);
    }
  }

  @Test
  void theLineIsRedrawnInPlaceAndErasedWhenTheCycleEnds() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), 40);
    line.progress(new TaskId("web"), estimated());
    line.cycleFinished(new TaskId("web"), 1, new CycleReport(new ImageRef("web", 1), CycleType.FULL, 1, 1, 1, 1, 1, 0,
        0, Duration.ZERO, List.of(), Map.of()));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals("\r~48.8% 512.0 MiB of ~1.0 GiB, ETA 1m06s\033[K\r\033[K", out);
  }

  @Test
  void withoutATerminalThereIsNoLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
    line.progress(new TaskId("web"), estimated());
    line.clear();
    assertEquals(0, bytes.size());
  }
}
