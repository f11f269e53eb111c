package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.RunMode;
import dev.smc.TaskState;
import dev.smc.spi.ImageInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A week of hourly cycles with max images 3, on a manual clock: every state, record and image checked. */
class SimulatedWeekTest {
  @TempDir
  Path tmp;

  @Test
  void hourlyIncrementalTaskKeepsTheNewestThreeImagesForAWeek() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      Path src = f.source();
      Instant t0 = f.clock.instant();
      Map<Integer, Map<String, String>> expected = new HashMap<>();
      change(f, src, 1);
      expected.put(1, Fixture.contents(src));
      MigrationTask t = m.create(f.incremental("week", src).runMode(RunMode.now()).build());
      String transit = check(f, m, 1, t0, RunType.RunNow);
      assertEquals(List.of(transit), f.transitIds());
      for (int n = 2; n <= 168; n++) {
        change(f, src, n);
        expected.put(n, Fixture.contents(src));
        f.clock.advance(Duration.ofMinutes(59));
        m.tick(); // not due yet
        assertEquals(n - 1, m.task("week").cycles().size());
        f.clock.advance(Duration.ofMinutes(1));
        m.tick();
        assertEquals(transit, check(f, m, n, t0.plus(Duration.ofHours(n - 1)), RunType.Schedule),
            "one transit instance, kept between cycles");
        if (n % 24 == 0) {
          assertEquals(expected.get(n), f.restore(new ImageRef("week-img", n)), "CYCLE_" + n + " restores the source");
        }
      }
      for (int n = 166; n <= 168; n++) {
        assertEquals(expected.get(n), f.restore(new ImageRef("week-img", n)), "CYCLE_" + n + " restores the source");
      }
      assertEquals(List.of(transit), f.transitIds());
      MigrationTask done = m.cutover("week", false);
      assertEquals(TaskState.Finished, done.state());
      f.assertNoTransit();
      assertEquals(List.of(166, 167, 168), cycles(m.images("week")), "cut over keeps the images");
      assertTrue(f.repo.check(false).ok());
    }
  }

  /** Checks the state, the newest cycle record and the images after cycle {@code n}; returns the transit id. */
  private static String check(Fixture f, Migrations m, int n, Instant start, RunType type) throws Exception {
    MigrationTask t = m.task("week");
    assertEquals(TaskState.Waiting, t.state(), "after cycle " + n);
    assertTrue(t.step().isEmpty());
    assertEquals(n, t.cycles().size());
    CycleRecord r = t.lastCycle().orElseThrow();
    assertEquals(n, r.number());
    assertEquals(type, r.type());
    assertEquals(start, r.start());
    assertEquals(start, r.end().orElseThrow(), "the manual clock does not move during a cycle");
    assertEquals(new ImageRef("week-img", n), r.image().orElseThrow());
    assertEquals(CycleRecord.Outcome.Succeeded, r.outcome());
    assertTrue(r.bytesScanned() > 0 && r.bytesSent() > 0, r.toString());
    assertEquals(1, r.attempts());
    assertEquals(start.plus(Duration.ofHours(1)), t.nextRun().orElseThrow());
    List<Integer> want = IntStream.rangeClosed(Math.max(1, n - 2), n).boxed().toList();
    assertEquals(want, cycles(m.images("week")), "exactly the newest 3 images after cycle " + n);
    return t.transit().orElseThrow();
  }

  private static List<Integer> cycles(List<ImageInfo> images) {
    return images.stream().map(i -> i.ref().cycle()).toList();
  }

  /** Changes one file per cycle: its content and length grow with the cycle number. */
  private static void change(Fixture f, Path src, int n) throws Exception {
    Path p = src.resolve("etc/counter");
    Files.writeString(p, "cycle " + n + "\n" + "x".repeat(n) + "\n");
    Files.setLastModifiedTime(p, FileTime.from(f.clock.instant()));
  }
}
