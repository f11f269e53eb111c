package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code smc task pause N}. */
@Command(name = "pause", description = "Pause a task: a Waiting one, or a Running one while it syncs (in any"
    + " process); it becomes Stopped, and task start resumes it.")
final class TaskPauseCommand extends OneTaskCommand {
  TaskPauseCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = session(MigrationListener.NONE)) {
      MigrationTask t = s.m.pause(task);
      print(s, t, "task " + task + ": " + t.state());
      return ExitCode.OK;
    }
  }
}
