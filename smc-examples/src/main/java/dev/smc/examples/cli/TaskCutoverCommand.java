package dev.smc.examples.cli;

import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smc task cutover N [--sync [--drop-excludes]]}. */
@Command(name = "cutover", description = "Cut a task over: it becomes Finished and its transit instance is"
    + " released; with --sync after one final cycle (run here).")
final class TaskCutoverCommand extends OneTaskCommand {
  @Option(names = "--sync", description = "Run one final cycle first.")
  boolean sync;

  @Option(names = "--drop-excludes", description = "With --sync: the final cycle without the task's excludes.")
  boolean dropExcludes;

  TaskCutoverCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    if (dropExcludes && !sync) {
      throw usage("--drop-excludes goes with --sync (it changes the final cycle)");
    }
    try (TaskSession s = TaskSession.open(this, home, false, progress(), null).closeOnShutdown()) {
      MigrationTask t = s.m.cutover(task, sync, dropExcludes);
      if (sync) {
        return foreground(s, task);
      }
      print(s, t, "task " + task + " cut over: " + t.state() + ", transit instance released");
      return ExitCode.OK;
    }
  }
}
