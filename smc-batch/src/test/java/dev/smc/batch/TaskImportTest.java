package dev.smc.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.TaskState;
import dev.smc.scheduler.FileTaskStore;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskImportTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final List<Migrations> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws IOException {
    for (Migrations m : opened) {
      m.close();
    }
  }

  private Migrations open(Path home) throws IOException {
    Migrations m = Migrations.builder().home(home).clock(clock).build();
    opened.add(m);
    return m;
  }

  private Migrations open(Path home, TaskStore store) throws IOException {
    Migrations m = Migrations.builder().home(home).store(store).clock(clock).build();
    opened.add(m);
    return m;
  }

  private String source(String name) throws IOException {
    return Files.createDirectories(dir.resolve("sources").resolve(name)).toString();
  }

  /** A valid create-only row for source {@code n}: task web-n, image web-n-img. */
  private Map<String, String> row(String n) throws IOException {
    Map<String, String> r = new HashMap<>();
    r.put("name", "web-" + n);
    r.put("source", source(n));
    r.put("image-name", "web-" + n + "-img");
    r.put("run", "create-only");
    return r;
  }

  private static Map<String, String> with(Map<String, String> row, String column, String value) {
    Map<String, String> r = new HashMap<>(row);
    r.put(column, value);
    return r;
  }

  private static Problem only(ImportResult r) {
    assertEquals(1, r.problems().size(), r.problems().toString());
    return r.problems().get(0);
  }

  @Test
  void oneRowWithAnIntervalOutOfRangeStopsTheWholeSheetAndNamesRowColumnValueAndRange() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Sheet sheet = Sheets.rows(List.of(row("a"), row("b"), row("c"),
        with(with(with(row("d"), "incremental", "true"), "interval", "200h"), "max-images", "3")));

    ImportResult r = TaskImport.run(m, sheet, TaskImport.Options.defaults());

    Problem p = only(r);
    assertEquals(5, p.row());
    assertEquals("interval", p.column());
    assertEquals("200h", p.value());
    assertTrue(p.reason().contains("1h..168h"), p.reason());
    assertEquals(List.of(), r.created());
    assertEquals(4, r.rowsRead());
    assertEquals(List.of(), m.tasks());
  }

  /** Issue #11, items 2 and 6: what task create and migrate refuse, a sheet refuses too, cell by cell. */
  @Test
  void aBackwardsClassRangeExcludeAndAnAccentedImageNameAreProblemsOfTheirCells() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Sheet sheet = Sheets.rows(List.of(row("a"), with(row("b"), "exclude", "/var/cache/;[z-a]"),
        with(row("c"), "image-name", "w\u00e9b")));

    ImportResult r = TaskImport.run(m, sheet, TaskImport.Options.defaults());

    assertEquals(2, r.problems().size(), r.problems().toString());
    Problem exclude = r.problems().get(0);
    assertEquals(3, exclude.row());
    assertEquals("exclude", exclude.column());
    assertEquals("[z-a]", exclude.value());
    assertTrue(exclude.reason().contains("[a-z], not [z-a]"), exclude.reason());
    Problem image = r.problems().get(1);
    assertEquals(4, image.row());
    assertEquals("image-name", image.column());
    assertEquals("w\u00e9b", image.value());
    assertTrue(image.reason().contains("ASCII"), image.reason());
    assertEquals(List.of(), m.tasks());
  }

  @Test
  void validOnlyCreatesExactlyTheValidRowsAndReportsTheRest() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Sheet sheet = Sheets.rows(List.of(row("a"), with(with(row("d"), "interval", "200h"), "max-images", "3"), row("b"), row("c")));

    ImportResult r = TaskImport.run(m, sheet, new TaskImport.Options(false, true));

    assertEquals(3, only(r).row());
    assertEquals(List.of("web-a", "web-b", "web-c"), r.created().stream().map(MigrationTask::name).toList());
    assertEquals(List.of("web-a", "web-b", "web-c"), m.tasks().stream().map(MigrationTask::name).sorted().toList());
    assertTrue(m.tasks().stream().allMatch(t -> t.state() == TaskState.Ready));
  }

  @Test
  void reImportingAfterValidOnlySkipsTheRowsItCreatedAndNamesAChangedOne() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Map<String, String> a = with(row("a"), "client-token", "tok-a");
    Map<String, String> b = with(row("b"), "client-token", "tok-b");
    Map<String, String> bad = with(with(row("d"), "interval", "200h"), "max-images", "3");
    ImportResult first = TaskImport.run(m, Sheets.rows(List.of(a, b, bad)), new TaskImport.Options(false, true));
    assertEquals(List.of("web-a", "web-b"), first.created().stream().map(MigrationTask::name).toList());

    Map<String, String> fixed = with(bad, "interval", "6h");
    ImportResult again = TaskImport.run(m, Sheets.rows(List.of(a, b, fixed)), TaskImport.Options.defaults());
    assertEquals(List.of(), again.problems(), "rows created before are not problems");
    assertEquals(List.of("web-a", "web-b"), again.existing().stream().map(MigrationTask::name).toList());
    assertEquals(List.of("web-d"), again.created().stream().map(MigrationTask::name).toList());
    assertEquals(3, m.tasks().size(), "no second task for a token");

    ImportResult changed = TaskImport.run(m, Sheets.rows(List.of(with(a, "description", "moved"))),
        TaskImport.Options.defaults());
    Problem p = only(changed);
    assertEquals("client-token", p.column());
    assertEquals("tok-a", p.value());
    assertTrue(p.reason().contains("task 'web-a'") && p.reason().contains("description"), p.reason());
    assertEquals(List.of(), changed.created());
  }

  @Test
  void dryRunReportsButCreatesNothing() throws IOException {
    Migrations m = open(dir.resolve("home"));
    ImportResult r = TaskImport.run(m, Sheets.rows(List.of(row("a"), row("b"))), new TaskImport.Options(true, true));
    assertEquals(List.of(), r.problems());
    assertEquals(List.of(), r.created());
    assertEquals(List.of(), m.tasks());
  }

  @Test
  void cleanSheetCreatesEveryRowWithItsOptions() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Map<String, String> full = row("a");
    full.putAll(Map.of("interval", "1d", "max-images", "3", "valid-days", "60", "compress", "5", "bwlimit", "2048",
        "checksum", "yes", "exclude", "/tmp/*; /var/cache/*", "tag", "team=web;env=prod", "client-token", "tok-a"));
    full.put("description", "front end");
    ImportResult r = TaskImport.run(m, Sheets.rows(List.of(full, row("b"))), TaskImport.Options.defaults());

    assertEquals(List.of(), r.problems());
    MigrationTask a = m.task("web-a");
    assertEquals(java.time.Duration.ofDays(1), a.spec().syncPolicy().orElseThrow().interval());
    assertEquals(3, a.spec().syncPolicy().orElseThrow().maxImages());
    assertEquals(java.time.Duration.ofDays(60), a.spec().validity());
    assertEquals(new dev.smc.TransferOptions(2048, 5, true), a.spec().transfer());
    assertEquals(List.of("/tmp/*", "/var/cache/*"), a.spec().excludes());
    assertEquals(List.of(new dev.smc.Tag("team", "web"), new dev.smc.Tag("env", "prod")), a.spec().tags());
    assertEquals("front end", a.spec().description());
    assertEquals("tok-a", a.spec().clientToken().orElseThrow());
  }

  @Test
  void everyBadCellOfARowIsReportedAtOnceByColumn() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Map<String, String> bad = row("a");
    bad.putAll(Map.of("name", "9lives", "max-images", "11", "compress", "11", "checksum", "maybe",
        "tag", "novalue", "run", "later", "valid-days", "3"));
    ImportResult r = TaskImport.run(m, Sheets.rows(List.of(bad)), TaskImport.Options.defaults());

    List<String> columns = r.problems().stream().map(Problem::column).sorted().toList();
    // interval too: max-images makes the task incremental, which needs one (as on the command line)
    assertEquals(List.of("checksum", "compress", "interval", "max-images", "name", "run", "tag", "valid-days"), columns,
        r.problems().toString());
    assertTrue(r.problems().stream().allMatch(p -> p.row() == 2));
  }

  @Test
  void duplicatesAcrossRowsNameTheLaterRowAndTheColumn() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Map<String, String> a = with(row("a"), "client-token", "tok");
    Map<String, String> sameName = with(row("b"), "name", "web-a");
    Map<String, String> sameImage = with(row("c"), "image-name", "web-a-img");
    Map<String, String> sameToken = with(row("d"), "client-token", "tok");
    Map<String, String> sameSource = with(row("e"), "source", a.get("source"));

    ImportResult r = TaskImport.run(m, Sheets.rows(List.of(a, sameName, sameImage, sameToken, sameSource)),
        TaskImport.Options.defaults());

    assertEquals(List.of("3 name", "4 image-name", "5 client-token", "6 source"),
        r.problems().stream().map(p -> p.row() + " " + p.column()).toList(), r.problems().toString());
    assertTrue(r.problems().get(0).reason().contains("row") || r.problems().get(0).reason().contains("batch"));
    assertEquals(List.of(), m.tasks());
  }

  @Test
  void duplicatesAgainstTheStoreAreProblemsToo() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Map<String, String> a = with(row("a"), "client-token", "tok");
    assertEquals(List.of(), TaskImport.run(m, Sheets.rows(List.of(a)), TaskImport.Options.defaults()).problems());

    ImportResult r = TaskImport.run(m, Sheets.rows(List.of(
        with(row("b"), "name", "web-a"),
        with(row("c"), "image-name", "web-a-img"),
        with(row("d"), "client-token", "tok"),
        with(row("e"), "source", a.get("source")),
        row("f"))), TaskImport.Options.defaults());

    assertEquals(List.of("2 name web-a", "3 image-name web-a-img", "4 client-token tok", "5 source " + a.get("source")),
        r.problems().stream().map(p -> p.row() + " " + p.column() + " " + p.value()).toList());
    assertTrue(r.problems().get(0).reason().contains("taken"), r.problems().get(0).reason());
    assertEquals(List.of("web-a"), m.tasks().stream().map(MigrationTask::name).toList());
  }

  @Test
  void unknownAndMissingColumnsAreProblemsAtRow1AndStopEvenValidOnly() throws IOException {
    Migrations m = open(dir.resolve("home"));
    Sheet sheet = Sheets.of(List.of("name", "source", "intervall"),
        List.of(List.of("web-a", source("a"), "6h")));

    ImportResult r = TaskImport.run(m, sheet, new TaskImport.Options(false, true));

    assertEquals(List.of("1 intervall", "1 image-name"),
        r.problems().stream().filter(p -> p.row() == 1).map(p -> p.row() + " " + p.column()).toList());
    assertTrue(r.problems().get(0).reason().contains("unknown column"));
    assertEquals(List.of(), m.tasks());
  }

  @Test
  void readsATestCsvWithQuotedSeparators() throws IOException {
    Migrations m = open(dir.resolve("home"));
    String csv = "name,source,image-name,run,tag,description\n"
        + "web-a," + source("a") + ",web-a-img,create-only,\"a=1;b=2\",\"front, end\"\n";
    ImportResult r = TaskImport.run(m, Sheets.csv(csv), TaskImport.Options.defaults());
    assertEquals(List.of(), r.problems());
    assertEquals("front, end", m.task("web-a").spec().description());
    assertEquals(2, m.task("web-a").spec().tags().size());
  }

  @Test
  void aCrashMidwayLeavesNoTaskOfTheBatchAndARerunCreatesAll() throws IOException {
    Path home = dir.resolve("home");
    Sheet sheet = Sheets.rows(List.of(row("a"), row("b"), row("c"), row("d")));
    Migrations dying = open(home, new DyingTaskStore(new FileTaskStore(home), 2));

    assertThrows(IOException.class, () -> TaskImport.run(dying, sheet, TaskImport.Options.defaults()));
    FileTaskStore files = new FileTaskStore(home);
    assertEquals(2, files.tasks().size(), "the crash left 2 of 4 tasks on disk");
    assertEquals(1, files.batches().size(), "and the batch's record");

    Migrations reopened = open(home);
    assertEquals(List.of(), reopened.tasks(), "opening the store undoes the batch cut short");
    assertEquals(List.of(), files.batches());

    ImportResult r = TaskImport.run(reopened, sheet, TaskImport.Options.defaults());
    assertEquals(List.of(), r.problems());
    assertEquals(4, reopened.tasks().size());
  }
}
