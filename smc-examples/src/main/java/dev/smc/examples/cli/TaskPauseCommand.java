package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code smc task pause N}. */
@Command(name = "pause", description = "Pause a task: a Waiting one, or a Running one while it syncs (in any"
    + " process); it becomes Stopped, and task start resumes it.")
final class TaskPauseCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "The task.")
  List<String> names = new ArrayList<>();

  TaskPauseCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = taskName(names);
    try (TaskSession s = session(MigrationListener.NONE)) {
      MigrationTask t = s.m.pause(task);
      print(s, t, "task " + task + ": " + t.state());
      return ExitCode.OK;
    }
  }
}
