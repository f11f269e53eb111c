package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smc task pin N --cycle C [--off]}. */
@Command(name = "pin", description = "Keep image NAME-CYCLE_C from retention (--off: release it).")
final class TaskPinCommand extends OneTaskCommand {
  @Option(names = "--cycle", paramLabel = "C", description = "The cycle whose image to pin, e.g. 3.")
  @Nullable String cycle;

  @Option(names = "--off", description = "Release the pin.")
  boolean off;

  TaskPinCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    required(cycle, "--cycle", "the cycle whose image to pin, e.g. 3 for NAME-CYCLE_3");
    int c = (int) number(cycle, "--cycle", 1, 1, Integer.MAX_VALUE);
    try (TaskSession s = session(MigrationListener.NONE)) {
      MigrationTask t = s.m.pin(task, c, !off);
      print(s, t, "task " + task + ": image " + t.spec().imageName() + "-CYCLE_" + c + (off ? " unpinned" : " pinned"));
      return ExitCode.OK;
    }
  }
}
