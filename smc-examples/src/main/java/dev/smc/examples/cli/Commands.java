package dev.smc.examples.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  /** The task subcommands, by name, in the order help lists them. */
  private static final Map<String, Function<Cli, CliCommand>> TASK = new LinkedHashMap<>();
  /** The commands, by name, in the order help lists them ({@code help} apart). */
  private static final Map<String, Function<Cli, CliCommand>> TOP = new LinkedHashMap<>();

  static {
    TASK.put("create", TaskCreateCommand::new);
    TASK.put("list", TaskListCommand::new);
    TASK.put("show", TaskShowCommand::new);
    TASK.put("logs", TaskLogsCommand::new);
    TASK.put("start", TaskStartCommand::new);
    TASK.put("sync", TaskSyncCommand::new);
    TASK.put("pause", TaskPauseCommand::new);
    TASK.put("cutover", TaskCutoverCommand::new);
    TASK.put("modify", TaskModifyCommand::new);
    TASK.put("delete", TaskDeleteCommand::new);
    TASK.put("pin", TaskPinCommand::new);
    TASK.put("import", TaskImportCommand::new);
    TASK.put("export", TaskExportCommand::new);
    TASK.put("template", TaskTemplateCommand::new);
    TOP.put("demo", DemoCommand::new);
    TOP.put("migrate", MigrateCommand::new);
    TOP.put("images", ImagesCommand::new);
    TOP.put("ls", LsCommand::new);
    TOP.put("diff", DiffCommand::new);
    TOP.put("restore", RestoreCommand::new);
    TOP.put("check", CheckCommand::new);
    TOP.put("forget", ForgetCommand::new);
    TOP.put("gc", GcCommand::new);
    TOP.put("unlock", UnlockCommand::new);
    TOP.put("describe", DescribeCommand::new);
    TOP.put("task", TaskCommand::new);
    TOP.put("serve", ServeCommand::new);
    TOP.put("receiver", ReceiverCommand::new);
    TOP.put("completion", CompletionCommand::new);
  }

  /** The whole tree: for help, completion, --version and what names no command ("did you mean"). */
  static CommandLine tree(Cli cli) {
    return tree(cli, List.of());
  }

  /**
   * The tree {@code args} need: only the command they name (and, under {@code task}, only the
   * subcommand), when they name one; else the whole tree. Building a command makes picocli read
   * its annotations, and all 30 of them cost a quarter of a second at every start.
   */
  static CommandLine tree(Cli cli, List<String> args) {
    String first = args.isEmpty() ? null : args.get(0);
    boolean one = first != null && TOP.containsKey(first) && !first.equals("completion");
    CommandLine top = new CommandLine(new Smc(cli));
    for (Map.Entry<String, Function<Cli, CliCommand>> e : TOP.entrySet()) {
      if (one && !e.getKey().equals(first)) {
        continue;
      }
      CommandLine c = new CommandLine(e.getValue().apply(cli));
      if (e.getKey().equals("task")) {
        String sub = args.size() > 1 ? args.get(1) : null;
        boolean oneSub = one && sub != null && TASK.containsKey(sub);
        TASK.forEach((name, make) -> {
          if (!oneSub || name.equals(sub)) {
            c.addSubcommand(make.apply(cli));
          }
        });
      }
      top.addSubcommand(c);
    }
    if (!one) {
      top.addSubcommand(new HelpCommand());
    }
    return top;
  }
}
