package dev.smc.examples.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code smc completion}: the bash completion script of the whole command tree. */
@Command(name = "completion", description = {"Print a bash completion script for smc.",
    "Use: source <(smc completion), or save it as /etc/bash_completion.d/smc. The build writes it to"
        + " smc-examples/target/smc-completion.bash."})
final class CompletionCommand extends CliCommand {
  CompletionCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() {
    CommandLine root = spec.root().commandLine();
    cli.out().print(AutoComplete.bash("smc", root));
    cli.out().flush();
    return ExitCode.OK;
  }
}
