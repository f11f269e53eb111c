package dev.smc.examples.cli;

import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code smc task sync N}: runs the cycle here, in the foreground. */
@Command(name = "sync", description = "Run one incremental cycle now of a Waiting task (run type Manual); the cycle runs here.")
final class TaskSyncCommand extends OneTaskCommand {
  TaskSyncCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = TaskSession.open(this, home, false, progress(), null).closeOnShutdown()) {
      s.m.sync(task);
      return foreground(s, task);
    }
  }
}
