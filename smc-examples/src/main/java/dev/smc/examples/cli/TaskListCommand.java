package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code smc task list}: every task of the home, a line each. */
@Command(name = "list", description = "List the tasks: state, business step, cycles, last image, next run (UTC).")
final class TaskListCommand extends TaskBase {
  TaskListCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    try (TaskSession s = session(MigrationListener.NONE)) {
      List<MigrationTask> all = s.m.tasks();
      if (json) {
        List<Object> l = new ArrayList<>();
        all.forEach(t -> l.add(TaskViews.summary(t)));
        cli.out().println(Json.of(l));
      } else {
        TaskViews.printList(cli.out(), all);
      }
      return ExitCode.OK;
    }
  }
}
