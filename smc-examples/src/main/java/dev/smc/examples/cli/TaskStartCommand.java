package dev.smc.examples.cli;

import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code smc task start N}: runs the cycle here, in the foreground. */
@Command(name = "start", description = "Start a Ready task, or retry a Stopped or InError one (re-running its interrupted cycle, reusing what was stored); the cycle runs here.")
final class TaskStartCommand extends OneTaskCommand {
  TaskStartCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = TaskSession.open(this, home, false, progress(), null).closeOnShutdown()) {
      s.m.start(task);
      return foreground(s, task);
    }
  }
}
