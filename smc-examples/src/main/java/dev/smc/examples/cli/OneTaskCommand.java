package dev.smc.examples.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/** A {@code task} subcommand on one task, named by its argument: {@code smc task show web}. */
abstract class OneTaskCommand extends TaskBase {
  @Parameters(arity = "0..*", paramLabel = "NAME", description = "The task.")
  List<String> names = new ArrayList<>();

  OneTaskCommand(Cli cli) {
    super(cli);
  }

  /** The task's name: exactly one argument, else bad input. */
  String task() {
    return taskName(names);
  }
}
