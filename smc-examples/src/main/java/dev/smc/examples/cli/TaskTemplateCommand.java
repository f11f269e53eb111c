package dev.smc.examples.cli;

import dev.smc.batch.SheetFiles;
import dev.smc.batch.TaskColumns;
import dev.smc.batch.TaskExport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code smc task template --out F}: an empty task sheet, the header only; an .xlsx also gets a second
 * sheet, "Columns", explaining every column, its allowed values and an example.
 */
@Command(name = "template", description = "Write an empty task sheet: the columns are task create's options"
    + " (exclude, tag: several separated by ';'); an .xlsx also explains every column.")
final class TaskTemplateCommand extends CliCommand {
  @Option(names = "--out", paramLabel = "FILE", description = "The sheet: .xlsx or .csv.")
  @Nullable String out;

  TaskTemplateCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    Path file = Path.of(required(out, "--out", "the sheet file to write (.xlsx or .csv)"));
    TaskExport empty = TaskExport.of(List.of());
    SheetFiles.write(file, empty.header(), empty.rows(), TaskColumns.guide());
    cli.out().println("template written to " + file + ": one row a task; columns " + String.join(", ", empty.header()));
    return ExitCode.OK;
  }
}
