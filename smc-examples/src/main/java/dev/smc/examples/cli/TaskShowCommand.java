package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code smc task show N}: one task whole: spec, state, progress, cycles, images. */
@Command(name = "show", description = "Show a task: its options, state, progress, cycles and images.")
final class TaskShowCommand extends OneTaskCommand {
  TaskShowCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = session(MigrationListener.NONE)) {
      MigrationTask t = s.m.task(task);
      if (json) {
        cli.out().println(Json.of(TaskViews.detail(t, s.m.images(task))));
      } else {
        TaskViews.printDetail(cli.out(), t, s.m.images(task));
      }
      return ExitCode.OK;
    }
  }
}
