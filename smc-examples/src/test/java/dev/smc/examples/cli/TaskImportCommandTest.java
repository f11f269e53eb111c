package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.batch.Sheet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smc task import/export/template} in-process, over a plain CSV sheet source (no quoting; test files only). */
class TaskImportCommandTest {
  @TempDir Path tmp;

  /** Comma-separated cells, no quoting: enough for these test files. */
  private static final SheetSource CSV = new SheetSource() {
    @Override
    public Read read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<String> header = Arrays.asList(lines.get(0).split(",", -1));
      List<Sheet.Row> rows = new ArrayList<>();
      for (int i = 1; i < lines.size(); i++) {
        String[] cells = lines.get(i).split(",", -1);
        Map<String, String> m = new HashMap<>();
        for (int c = 0; c < cells.length; c++) {
          if (!cells[c].isBlank()) {
            m.put(header.get(c), cells[c].trim());
          }
        }
        rows.add(new Sheet.Row(i + 1, m));
      }
      return new Read(new Sheet(header, rows), List.of());
    }

    @Override
    public void write(Path file, List<String> header, List<Map<String, String>> rows) throws IOException {
      StringBuilder b = new StringBuilder(String.join(",", header)).append('\n');
      for (Map<String, String> r : rows) {
        b.append(String.join(",", header.stream().map(h -> r.getOrDefault(h, "")).toList())).append('\n');
      }
      Files.writeString(file, b.toString());
    }
  };

  private record Run(int code, String out, String err) {}

  private Run smc(String... args) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new TaskCommands(o, e, Map.of("SMC_HOME", tmp.resolve("home").toString()), Clock.systemUTC(), CSV)
          .task(List.of(args));
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String row(String n, String interval) throws IOException {
    String src = Files.createDirectories(tmp.resolve("src-" + n)).toString();
    return "web-" + n + "," + src + ",web-" + n + "-img," + interval + ",3,create-only\n";
  }

  @Test
  void importReportsEveryProblemCreatesNothingAndValidOnlyCreatesTheRest() throws IOException {
    Path sheet = tmp.resolve("tasks.csv");
    Files.writeString(sheet, "name,source,image-name,interval,max-images,run\n"
        + row("a", "6h") + row("b", "1d") + row("c", "12h") + row("d", "200h"));

    Run refused = smc("import", sheet.toString());
    assertEquals(2, refused.code(), refused.err());
    assertTrue(refused.out().contains("row 5, column interval, value '200h': allowed 1h..168h"), refused.out());
    assertTrue(refused.out().contains("0 tasks created"), refused.out());
    Path none = tmp.resolve("none.csv");
    assertEquals(0, smc("export", "--out", none.toString()).code());
    assertEquals(1, Files.readAllLines(none).size(), "nothing was created");

    Run some = smc("import", sheet.toString(), "--valid-only", "--json");
    assertEquals(2, some.code(), "a row was left out");
    assertTrue(some.out().contains("\"column\": \"interval\""), some.out());

    Path out = tmp.resolve("export.csv");
    Run export = smc("export", "--out", out.toString());
    assertEquals(0, export.code(), export.err());
    assertEquals(4, Files.readAllLines(out).size(), "header and the 3 valid rows");

    Run again = smc("import", out.toString(), "--dry-run");
    assertEquals(2, again.code(), "every row is now a duplicate of a stored task");
    assertTrue(again.out().contains("is taken"), again.out());
  }

  @Test
  void templateWritesTheHeaderOfEveryColumn() throws IOException {
    Path t = tmp.resolve("template.csv");
    assertEquals(0, smc("template", "--out", t.toString()).code());
    assertEquals(List.of("name,source,image-name,incremental,interval,max-images,run,valid-days,compress,bwlimit,"
        + "checksum,exclude,tag,description,client-token"), Files.readAllLines(t));
  }
}
