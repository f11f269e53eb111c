package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code smc task delete N}. */
@Command(name = "delete", description = "Delete a task in any state but Running; its images stay in the"
    + " repository.")
final class TaskDeleteCommand extends OneTaskCommand {
  TaskDeleteCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = session(MigrationListener.NONE)) {
      s.m.delete(task);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deleted", task);
        cli.out().println(Json.of(m));
      } else {
        cli.out().println("task " + task + " deleted; its images stay in the repository");
      }
      return ExitCode.OK;
    }
  }
}
