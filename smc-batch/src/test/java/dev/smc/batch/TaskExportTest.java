package dev.smc.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.RunMode;
import dev.smc.TaskSpec;
import dev.smc.TransferOptions;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskExportTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();

  private String source(String name) throws IOException {
    return Files.createDirectories(dir.resolve("sources").resolve(name)).toString();
  }

  /** A spec as it would be recreated: the same in everything but its run mode, which an export makes create-only. */
  private static List<TaskSpec> recreatable(List<MigrationTask> tasks) {
    return tasks.stream().map(t -> t.spec().toBuilder().runMode(RunMode.createOnly()).build())
        .sorted(java.util.Comparator.comparing(TaskSpec::name)).toList();
  }

  @Test
  void exportThenImportIntoAnEmptyHomeRecreatesTheSameTasks() throws IOException {
    List<MigrationTask> before;
    TaskExport export;
    try (Migrations m = Migrations.builder().home(dir.resolve("one")).clock(clock).build()) {
      m.create(TaskSpec.builder().name("web").source(source("web")).imageName("web-img")
          .incremental(Duration.ofHours(6), 4).validity(Duration.ofDays(45)).exclude("/tmp/*").exclude("/var/log/*")
          .tag("team", "web").tag("env", "").transfer(new TransferOptions(1024, 3, true))
          .description("front end, two disks").clientToken("tok-web").runMode(RunMode.createOnly())
          .snapshotCommands(new dev.smc.SnapshotCommands(java.util.Optional.of("fsfreeze -f /srv && echo \"frozen, ok\""),
              java.util.Optional.of("fsfreeze -u /srv")))
          .build());
      m.create(TaskSpec.builder().name("db").source(source("db")).imageName("db-img")
          .incremental(Duration.ofDays(7), 10).runMode(RunMode.at(clock.instant().plus(Duration.ofDays(2)))).build());
      m.create(TaskSpec.builder().name("files").source(source("files")).imageName("files-img")
          .runMode(RunMode.createOnly()).build());
      before = m.tasks();
      export = TaskExport.of(m);
    }
    assertEquals(TaskRow.COLUMNS, export.header());
    assertEquals(3, export.rows().size());
    assertEquals("create-only", export.rows().get(0).get("run"));

    try (Migrations fresh = Migrations.builder().home(dir.resolve("two")).clock(clock).build()) {
      ImportResult r = TaskImport.run(fresh, export.toSheet(), TaskImport.Options.defaults());
      assertEquals(List.of(), r.problems());
      assertEquals(recreatable(before), recreatable(fresh.tasks()));
    }

    // and through files, as smc task export and import do: .xlsx and .csv
    for (String file : List.of("all.xlsx", "all.csv")) {
      java.nio.file.Path f = dir.resolve(file);
      SheetFiles.write(f, export.header(), export.rows(), null);
      ReadResult read = SheetFiles.read(f);
      assertEquals(List.of(), read.problems(), file);
      try (Migrations fresh = Migrations.builder().home(dir.resolve("from-" + file)).clock(clock).build()) {
        ImportResult r = TaskImport.run(fresh, read.sheet(), read.problems(), TaskImport.Options.defaults());
        assertEquals(List.of(), r.problems(), file);
        assertEquals(recreatable(before), recreatable(fresh.tasks()), file);
      }
    }
  }
}
