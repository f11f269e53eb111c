package dev.smc.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code smc task sync N}: runs the cycle here, in the foreground. */
@Command(name = "sync", description = "Run one incremental cycle now of a Waiting task (run type Manual); the cycle runs here.")
final class TaskSyncCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "The task.")
  List<String> names = new ArrayList<>();

  TaskSyncCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = taskName(names);
    try (TaskSession s = TaskSession.open(this, home, false, progress(), null).closeOnShutdown()) {
      s.m.sync(task);
      return foreground(s, task);
    }
  }
}
