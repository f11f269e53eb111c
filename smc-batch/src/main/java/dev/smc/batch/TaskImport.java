package dev.smc.batch;

import dev.smc.TaskSpec;
import dev.smc.scheduler.BatchError;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the tasks of a task sheet, one a row, learning about every bad cell first: the header
 * (unknown, repeated or missing required columns: problems at row 1), each row's cells with the
 * rules of {@code smc task create}, and the rows against each other and the tasks in the store
 * ({@link Migrations#check}: names, image names and client tokens taken, two unfinished tasks for
 * one source, offline sources, run times out of their window). Then, with no problem, every row's
 * task is created in one {@link Migrations#createAll atomic batch}; with any, none is, unless
 * {@link Options#validOnly()}: then the rows without a problem are (never when the header has one:
 * a misspelt column would silently drop a setting). A dry run only reports. Created tasks follow
 * their run mode as with {@code task create}. A row whose client token is an existing task's, with
 * the same fields, is that task ({@link ImportResult#existing()}), not a problem; with other fields
 * it is one. Stateless; thread-safe as {@link Migrations} is.
 */
public final class TaskImport {
  private TaskImport() {}

  /**
   * How to import.
   *
   * @param dryRun only report the problems; create nothing
   * @param validOnly create the rows without a problem even when other rows have some
   */
  public record Options(boolean dryRun, boolean validOnly) {
    /** All or nothing, for real. */
    public static Options defaults() {
      return new Options(false, false);
    }
  }

  /** Checks every row of {@code sheet} and creates its tasks in {@code m} as {@code o} says. */
  public static ImportResult run(Migrations m, Sheet sheet, Options o) throws IOException {
    return run(m, sheet, List.of(), o);
  }

  /**
   * As {@link #run(Migrations, Sheet, Options)}, with the problems the file reader found (bad or
   * oversized cells, a file cut short): they are reported with the rest; one at row 0 or 1 stops
   * the import as a header problem does, one at a data row refuses that row.
   */
  public static ImportResult run(Migrations m, Sheet sheet, List<Problem> fileProblems, Options o) throws IOException {
    List<Problem> problems = new ArrayList<>(fileProblems);
    Map<String, String> columnOf = header(sheet.header(), problems);
    boolean headerOk = problems.stream().allMatch(p -> p.row() > 1);
    Set<Integer> refused = new HashSet<>();
    fileProblems.forEach(p -> refused.add(p.row()));
    List<TaskRow.Parsed> ok = new ArrayList<>();
    List<MigrationTask> existing = new ArrayList<>();
    Map<String, MigrationTask> byToken = ClientTokens.index(m.tasks());
    for (Sheet.Row r : sheet.rows()) {
      Map<String, String> cells = new HashMap<>();
      r.cells().forEach((k, v) -> {
        String c = columnOf.get(k);
        if (c != null && !v.isBlank()) {
          cells.put(c, v);
        }
      });
      TaskRow.Parsed p = TaskRow.parse(r.number(), cells);
      problems.addAll(p.problems());
      if (p.spec().isEmpty() || refused.contains(r.number())) {
        continue;
      }
      Optional<MigrationTask> same = ClientTokens.taskOf(p.spec().get(), byToken);
      if (same.isEmpty()) {
        ok.add(p);
        continue;
      }
      List<String> differ = ClientTokens.differences(p.spec().get(), same.get().spec());
      if (differ.isEmpty()) {
        existing.add(same.get()); // the row was imported before: that task, not a second one
      } else {
        refused.add(r.number());
        problems.add(ClientTokens.conflict(r.number(), p.spec().get(), same.get(), differ));
      }
    }
    for (BatchError e : m.check(specs(ok))) {
      int row = ok.get(e.index()).row();
      refused.add(row);
      problems.add(TaskRow.problem(row, e.error()));
    }
    problems.sort(Comparator.comparingInt(Problem::row)); // stable: within a row, as found
    List<TaskSpec> create = List.of();
    if (!o.dryRun() && headerOk && (problems.isEmpty() || o.validOnly())) {
      create = specs(ok.stream().filter(p -> !refused.contains(p.row())).toList());
    }
    List<MigrationTask> created = create.isEmpty() ? List.of() : m.createAll(create);
    return new ImportResult(created, existing, problems, sheet.rows().size());
  }

  private static List<TaskSpec> specs(List<TaskRow.Parsed> rows) {
    return rows.stream().map(p -> p.spec().orElseThrow()).toList();
  }

  /** Header name as written to column; problems at row 1 for unknown, repeated and missing columns. */
  private static Map<String, String> header(List<String> header, List<Problem> problems) {
    Map<String, String> columnOf = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (String h : header) {
      if (h == null || h.isBlank()) {
        continue; // an empty header cell over empty cells: nothing to read
      }
      String c = h.trim().toLowerCase(Locale.ROOT);
      if (!TaskRow.COLUMNS.contains(c)) {
        problems.add(new Problem(1, h, h, "unknown column; allowed: " + String.join(", ", TaskRow.COLUMNS)));
      } else if (!seen.add(c)) {
        problems.add(new Problem(1, h, h, "column given twice; give each column once"));
      } else {
        columnOf.put(h, c);
      }
    }
    for (String c : TaskRow.REQUIRED) {
      if (!seen.contains(c)) {
        problems.add(new Problem(1, c, null, "required column missing (required: "
            + String.join(", ", TaskRow.REQUIRED) + ")"));
      }
    }
    return columnOf;
  }
}
