package dev.smc.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;

/** The {@code smc} command and its tree of subcommands, each built with the run's {@link Cli}. */
final class Commands {
  private Commands() {}

  /** The top command: the list of commands, {@code --version}. */
  @Command(name = "smc", versionProvider = Version.class, synopsisSubcommandLabel = "COMMAND",
      description = "Server migration: copy a running server into an image repository once in full, then"
          + " incrementally; restore, check and manage the images; run migration tasks.",
      footer = {"", "Environment: SMC_REPO (--repo), SMC_TOKEN_FILE (--token-file), SMC_PIN (--pin), SMC_PROXY"
          + " (--proxy), SMC_HOME (--home), SMC_CACHE_DIR (the index cache; default $XDG_CACHE_HOME/smc or"
          + " ~/.cache/smc). An option given wins over its variable.",
          "Every command takes --debug (stack traces on failure) and -h/--help.", "", ExitCode.HELP})
  static final class Smc extends CliCommand {
    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    Smc(Cli cli) {
      super(cli);
    }

    @Override
    int run() {
      spec.commandLine().usage(cli.err());
      return ExitCode.USAGE;
    }
  }

  /** What {@code smc --version} prints. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"smc " + Main.version(), "Java " + System.getProperty("java.version") + " ("
          + System.getProperty("java.vm.name") + ")"};
    }
  }

  static CommandLine tree(Cli cli) {
    CommandLine task = new CommandLine(new TaskCommand(cli))
        .addSubcommand(new TaskCreateCommand(cli))
        .addSubcommand(new TaskListCommand(cli))
        .addSubcommand(new TaskShowCommand(cli))
        .addSubcommand(new TaskLogsCommand(cli))
        .addSubcommand(new TaskStartCommand(cli))
        .addSubcommand(new TaskSyncCommand(cli))
        .addSubcommand(new TaskPauseCommand(cli))
        .addSubcommand(new TaskCutoverCommand(cli))
        .addSubcommand(new TaskModifyCommand(cli))
        .addSubcommand(new TaskDeleteCommand(cli))
        .addSubcommand(new TaskPinCommand(cli))
        .addSubcommand(new TaskImportCommand(cli))
        .addSubcommand(new TaskExportCommand(cli))
        .addSubcommand(new TaskTemplateCommand(cli));
    return new CommandLine(new Smc(cli))
        .addSubcommand(new DemoCommand(cli))
        .addSubcommand(new MigrateCommand(cli))
        .addSubcommand(new ImagesCommand(cli))
        .addSubcommand(new LsCommand(cli))
        .addSubcommand(new DiffCommand(cli))
        .addSubcommand(new RestoreCommand(cli))
        .addSubcommand(new CheckCommand(cli))
        .addSubcommand(new ForgetCommand(cli))
        .addSubcommand(new GcCommand(cli))
        .addSubcommand(new UnlockCommand(cli))
        .addSubcommand(new DescribeCommand(cli))
        .addSubcommand(task)
        .addSubcommand(new ServeCommand(cli))
        .addSubcommand(new ReceiverCommand(cli))
        .addSubcommand(new CompletionCommand(cli))
        .addSubcommand(new HelpCommand());
  }
}
