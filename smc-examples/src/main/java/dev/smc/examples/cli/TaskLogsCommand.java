package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.LogEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code smc task logs N}: the task's events, oldest first. */
@Command(name = "logs", description = "Print a task's log: when (UTC), what happened, and why.")
final class TaskLogsCommand extends OneTaskCommand {
  TaskLogsCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    try (TaskSession s = session(MigrationListener.NONE)) {
      List<LogEntry> entries = s.m.logs(task);
      if (json) {
        List<Object> l = new ArrayList<>();
        for (LogEntry e : entries) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("time", e.time().toString());
          m.put("event", e.event());
          m.put("cause", e.cause());
          l.add(m);
        }
        cli.out().println(Json.of(l));
      } else {
        entries.forEach(e -> cli.out().println(Fmt.time(e.time()) + " " + e.event()
            + (e.cause().isEmpty() ? "" : " (cause: " + e.cause() + ")")));
      }
      return ExitCode.OK;
    }
  }
}
