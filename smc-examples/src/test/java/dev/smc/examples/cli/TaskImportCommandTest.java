package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.batch.SheetFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smc task import/export/template} in-process, over real .csv and .xlsx files. */
class TaskImportCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private Run smc(String... args) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      List<String> argv = new java.util.ArrayList<>(List.of("task"));
      argv.addAll(List.of(args));
      code = new Main(o, e, Map.of("SMC_HOME", tmp.resolve("home").toString())).run(argv.toArray(new String[0]));
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String row(String n, String interval) throws IOException {
    String src = Files.createDirectories(tmp.resolve("src-" + n)).toString();
    return "web-" + n + "," + src + ",web-" + n + "-img," + interval + ",3,create-only\n";
  }

  @Test
  void importOfACsvReportsEveryProblemCreatesNothingAndValidOnlyCreatesTheRest() throws IOException {
    Path sheet = tmp.resolve("tasks.csv");
    Files.writeString(sheet, "name,source,image-name,interval,max-images,run\n"
        + row("a", "6h") + row("b", "1d") + row("c", "12h") + row("d", "200h"));
    importReportsCreatesNothingThenValidOnly(sheet);
  }

  @Test
  void importOfAnXlsxReportsEveryProblemCreatesNothingAndValidOnlyCreatesTheRest() throws IOException {
    List<String> header = List.of("name", "source", "image-name", "interval", "max-images", "run");
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : (row("a", "6h") + row("b", "1d") + row("c", "12h") + row("d", "200h")).split("\n")) {
      String[] cells = line.split(",", -1);
      Map<String, String> m = new HashMap<>();
      for (int c = 0; c < cells.length; c++) {
        m.put(header.get(c), cells[c]);
      }
      rows.add(m);
    }
    Path sheet = tmp.resolve("tasks.xlsx");
    SheetFiles.write(sheet, header, rows, null);
    importReportsCreatesNothingThenValidOnly(sheet);
  }

  private void importReportsCreatesNothingThenValidOnly(Path sheet) throws IOException {
    Run refused = smc("import", sheet.toString());
    assertEquals(2, refused.code(), refused.err());
    assertTrue(refused.out().contains("row 5, column interval, value '200h': allowed 1h..168h"), refused.out());
    assertTrue(refused.out().contains("0 tasks created"), refused.out());
    Path none = tmp.resolve("none.csv");
    assertEquals(0, smc("export", "--out", none.toString()).code());
    assertEquals(0, SheetFiles.read(none).sheet().rows().size(), "nothing was created");

    Run some = smc("import", sheet.toString(), "--valid-only", "--json");
    assertEquals(2, some.code(), "a row was left out");
    assertTrue(some.out().contains("\"column\": \"interval\""), some.out());

    Path out = tmp.resolve("export.csv");
    Run export = smc("export", "--out", out.toString());
    assertEquals(0, export.code(), export.err());
    assertEquals(3, SheetFiles.read(out).sheet().rows().size(), "the 3 valid rows");

    Run again = smc("import", out.toString(), "--dry-run");
    assertEquals(2, again.code(), "every row is now a duplicate of a stored task");
    assertTrue(again.out().contains("is taken"), again.out());
  }

  @Test
  void templateWritesTheHeaderOfEveryColumn() throws IOException {
    Path t = tmp.resolve("template.csv");
    assertEquals(0, smc("template", "--out", t.toString()).code());
    assertEquals(List.of("\uFEFFname,source,image-name,incremental,interval,max-images,run,valid-days,compress,"
        + "bwlimit,checksum,exclude,tag,description,client-token,pre-snapshot,post-snapshot"), Files.readAllLines(t));
    Path x = tmp.resolve("template.xlsx");
    assertEquals(0, smc("template", "--out", x.toString()).code());
    assertEquals(dev.smc.batch.TaskColumns.names(), SheetFiles.read(x).sheet().header());
  }
}
