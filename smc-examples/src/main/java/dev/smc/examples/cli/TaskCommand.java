package dev.smc.examples.cli;

import picocli.CommandLine.Command;

/** {@code smc task}: the parent of the task subcommands; alone it is bad input. */
@Command(name = "task", description = {"Migration tasks: a source, its image name and sync policy, run once or"
    + " incrementally (every 1h to 7d, keeping the newest 1-10 images), in a task store (--home or $SMC_HOME).",
    "The repository is HOME/repo unless --repo (or $SMC_REPO) when the home is made; the home records it, so later"
        + " commands need no --repo. Commands that run a cycle run it in the foreground"
        + " and exit 0 when it succeeded, 1 when not."}, footer = {"", ExitCode.HELP})
final class TaskCommand extends CliCommand {
  TaskCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() {
    throw usage("a subcommand is required (allowed: " + String.join(", ", spec.subcommands().keySet()) + ")");
  }
}
