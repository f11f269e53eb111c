package dev.smc.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.TaskState;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.spi.ImageInfo;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty incremental tasks imported from one CSV sheet, their cycles sent through the home's
 * receiver over HTTPS: one receiver process runs between cycles (not twenty), every cycle made its
 * image, and deleting the tasks stops it. Processes are counted as any process sees them, by their
 * command line.
 */
class SheetOfTasksReceiverTest {
  private static final int TASKS = 20;

  @TempDir Path dir;

  /** Live ReceiverMain processes serving {@code home}'s transits. */
  private static List<Long> receivers(Path home) {
    String prefix = home.toAbsolutePath().normalize().resolve("transit") + "/";
    try (var all = ProcessHandle.allProcesses()) {
      return all.filter(ProcessHandle::isAlive).filter(h -> h.info().arguments().map(List::of)
          .map(a -> a.contains("dev.smc.transfer.remote.ReceiverMain")
              && a.stream().anyMatch(arg -> arg.startsWith(prefix))).orElse(false))
          .map(ProcessHandle::pid).toList();
    }
  }

  @Test
  void twentyIncrementalTasksFromOneSheetLeaveOneReceiverBetweenCyclesAndNoneOnceDeleted() throws Exception {
    Path home = dir.resolve("home");
    StringBuilder csv = new StringBuilder("name,source,image-name,incremental,interval,max-images,run\n");
    for (int i = 0; i < TASKS; i++) {
      Path src = Files.createDirectories(dir.resolve("servers").resolve("s" + i).resolve("etc"));
      Files.writeString(src.resolve("app.conf"), "server " + i + "\n".repeat(i + 1), StandardCharsets.UTF_8);
      csv.append("web-").append(i).append(',').append(src.getParent()).append(",web-").append(i)
          .append(",true,6h,3,now\n");
    }
    Path sheetFile = Files.writeString(dir.resolve("servers.csv"), csv.toString());
    ReadResult read = SheetFiles.read(sheetFile);
    assertEquals(List.of(), read.problems());

    ManualClock clock = new ManualClock();
    Set<Long> seen = new TreeSet<>();
    try (Migrations m = Migrations.builder().home(home).clock(clock).transitReceivers(true)
        .executor(Runnable::run).build()) {
      ImportResult r = TaskImport.run(m, read.sheet(), TaskImport.Options.defaults());
      assertEquals(List.of(), r.problems());
      assertEquals(TASKS, r.created().size());
      List<Long> between = receivers(home);
      assertEquals(1, between.size(), "receiver processes between cycles: " + between);
      seen.addAll(between);
      for (MigrationTask t : m.tasks()) {
        assertEquals(TaskState.Waiting, t.state(), t.name() + ": " + t.error().orElse(""));
        assertEquals(new ImageRef(t.name(), 1), t.lastCycle().orElseThrow().image().orElseThrow(), t.name());
        assertTrue(m.logs(t.name()).stream().anyMatch(e -> e.event().contains("sending through transit instance")),
            t.name() + " did not send through the receiver");
      }

      for (int i = 0; i < TASKS; i += 5) { // a few second cycles through the same receiver
        Files.writeString(dir.resolve("servers").resolve("s" + i).resolve("etc/new.conf"), "cycle 2\n");
        MigrationTask t = m.sync("web-" + i);
        assertEquals(TaskState.Waiting, t.state(), t.error().orElse(""));
        assertEquals(2, t.lastCycle().orElseThrow().number());
        assertEquals(between, receivers(home), "the second cycles used the same receiver");
      }

      try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(home.resolve("repo")))) {
        List<String> images = new ArrayList<>();
        for (ImageInfo info : repo.images()) {
          images.add(info.ref().toString());
        }
        for (int i = 0; i < TASKS; i++) {
          String first = new ImageRef("web-" + i, 1).toString();
          assertTrue(images.contains(first), first + " missing from " + images);
        }
        assertEquals(TASKS + TASKS / 5, images.size(), images.toString());
      }

      for (MigrationTask t : m.tasks()) {
        m.delete(t.name());
      }
      assertEquals(List.of(), m.tasks());
    }
    for (long pid : seen) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 20, TimeUnit.SECONDS).join());
    }
    assertEquals(List.of(), receivers(home), "receiver processes left after deleting every task");
  }
}
