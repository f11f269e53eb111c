package dev.smc.examples.cli;

import dev.smc.TaskState;
import dev.smc.batch.ImportResult;
import dev.smc.batch.ReadResult;
import dev.smc.batch.SheetException;
import dev.smc.batch.SheetFiles;
import dev.smc.batch.TaskImport;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code smc task import FILE}: every problem of the sheet as row, column, value and reason; exit 2
 * when there was any (then nothing is created, unless {@code --valid-only}: the valid rows are
 * created, and the exit is still 2, so a script sees that rows were left out), 0 when every row
 * was created (or, with {@code --dry-run}, would be). Tasks with run mode now run their first
 * cycle here, as {@code task create} does; then the exit is 1 if one failed.
 */
@Command(name = "import", description = {"Create a task per row of a sheet (.xlsx or .csv; smc task template"
    + " makes an empty one). Every bad cell is reported (row, column, value, reason) and nothing is created,"
    + " exit 2; with --valid-only the valid rows are created (still exit 2)."})
final class TaskImportCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "FILE", description = "The sheet.")
  List<String> files = new ArrayList<>();

  @Option(names = "--dry-run", description = "Check the sheet; create nothing.")
  boolean dryRun;

  @Option(names = "--valid-only", description = "Create the rows without a problem.")
  boolean validOnly;

  TaskImportCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    if (files.size() != 1) {
      throw usage(files.isEmpty() ? "the sheet file is required (.xlsx or .csv), e.g. smc task import tasks.xlsx"
          + " (smc task template --out tasks.xlsx makes an empty one)" : "one sheet file expected, got " + files);
    }
    ReadResult read;
    try {
      read = SheetFiles.read(Path.of(files.get(0)));
    } catch (SheetException e) {
      throw usage(e.getMessage());
    }
    TaskImport.Options o = new TaskImport.Options(dryRun, validOnly);
    try (TaskSession s = TaskSession.open(this, home, true, progress(), null).closeOnShutdown()) {
      ImportResult r = TaskImport.run(s.m, read.sheet(), read.problems(), o);
      if (r.created().stream().anyMatch(t -> t.state() == TaskState.Running)) {
        s.m.awaitIdle(FOREVER);
      }
      List<MigrationTask> created = new ArrayList<>();
      for (MigrationTask t : r.created()) {
        created.add(s.m.task(t.name()));
      }
      boolean failed = created.stream().anyMatch(t -> t.state() == TaskState.InError || t.state() == TaskState.Stopped);
      if (json) {
        cli.out().println(Json.of(report(r, created, o)));
      } else {
        r.problems().forEach(cli.out()::println);
        r.existing().forEach(t -> cli.out().println("task " + t.name() + " exists (same client token and fields):"
            + " skipped"));
        created.forEach(t -> cli.out().println("task " + t.name() + " created: " + t.state()
            + t.nextRun().map(n -> ", runs at " + Fmt.time(n)).orElse("")));
        String what = o.dryRun() ? "dry run, nothing created"
            : r.created().size() + " task" + (r.created().size() == 1 ? "" : "s") + " created"
                + (r.existing().isEmpty() ? "" : ", " + r.existing().size() + " existed");
        cli.out().println(r.rowsRead() + " rows read, " + r.problems().size() + " problem"
            + (r.problems().size() == 1 ? "" : "s") + "; " + what
            + (!r.problems().isEmpty() && !o.dryRun() && !o.validOnly()
                ? " (fix the problems, or --valid-only creates the rows without one)" : ""));
      }
      return !r.problems().isEmpty() ? ExitCode.USAGE : failed ? ExitCode.FAILED : ExitCode.OK;
    }
  }

  private static Map<String, Object> report(ImportResult r, List<MigrationTask> created, TaskImport.Options o) {
    List<Object> problems = new ArrayList<>();
    r.problems().forEach(p -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("row", p.row());
      m.put("column", p.column());
      m.put("value", p.value());
      m.put("reason", p.reason());
      problems.add(m);
    });
    List<Object> tasks = new ArrayList<>();
    created.forEach(t -> tasks.add(TaskViews.summary(t)));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("rowsRead", r.rowsRead());
    report.put("dryRun", o.dryRun());
    report.put("created", tasks);
    report.put("existing", r.existing().stream().map(MigrationTask::name).toList());
    report.put("problems", problems);
    return report;
  }
}
