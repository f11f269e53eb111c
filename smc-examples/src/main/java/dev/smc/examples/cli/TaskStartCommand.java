package dev.smc.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code smc task start N}: runs the cycle here, in the foreground. */
@Command(name = "start", description = "Start a Ready task, or retry a Stopped or InError one (re-running its interrupted cycle, reusing what was stored); the cycle runs here.")
final class TaskStartCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "The task.")
  List<String> names = new ArrayList<>();

  TaskStartCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = taskName(names);
    try (TaskSession s = TaskSession.open(this, home, false, progress(), null).closeOnShutdown()) {
      s.m.start(task);
      return foreground(s, task);
    }
  }
}
