package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.batch.SheetFiles;
import dev.smc.batch.TaskExport;
import java.io.IOException;
import java.nio.file.Path;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code smc task export --out F}: the tasks of the home as a sheet that import recreates them from
 * (run mode create-only); {@code --out -} writes CSV to stdout.
 */
@Command(name = "export", description = "Write the tasks as a sheet that task import recreates them from (run"
    + " mode create-only).")
final class TaskExportCommand extends TaskBase {
  @Option(names = "--out", paramLabel = "FILE", description = "The sheet: .xlsx or .csv, or - for CSV on stdout.")
  @Nullable String out;

  TaskExportCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String to = required(out, "--out", "the sheet file to write (.xlsx or .csv), or - for CSV on stdout");
    try (TaskSession s = session(MigrationListener.NONE)) {
      TaskExport e = TaskExport.of(s.m);
      if (to.equals("-")) {
        SheetFiles.writeCsv(cli.out(), e.header(), e.rows());
        cli.out().flush();
        return ExitCode.OK;
      }
      SheetFiles.write(Path.of(to), e.header(), e.rows(), null);
      cli.out().println(e.rows().size() + " task" + (e.rows().size() == 1 ? "" : "s") + " exported to " + to
          + " (run mode create-only: imported tasks wait for task start)");
      return ExitCode.OK;
    }
  }
}
