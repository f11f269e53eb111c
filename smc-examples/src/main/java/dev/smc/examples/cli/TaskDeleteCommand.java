package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code smc task delete N}. */
@Command(name = "delete", description = "Delete a task in any state but Running; its images stay in the"
    + " repository.")
final class TaskDeleteCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "The task.")
  List<String> names = new ArrayList<>();

  TaskDeleteCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = taskName(names);
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
