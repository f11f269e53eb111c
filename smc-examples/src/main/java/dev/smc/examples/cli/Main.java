package dev.smc.examples.cli;

import dev.smc.ErrorCode;
import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.SmcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code smc}: the command line. Builds the command tree ({@link Commands}), runs one command and
 * turns what went wrong into one line and an exit code ({@link ExitCode}): bad input is 2 with the
 * option, the value and what is allowed (and the nearest command or option for a misspelt one),
 * a failure is 1 ({@code --debug} adds the stack trace).
 */
public final class Main {
  private final Cli cli;

  Main(PrintStream out, PrintStream err) {
    this(out, err, System.getenv());
  }

  Main(PrintStream out, PrintStream err, Map<String, String> env) {
    this.cli = new Cli(out, err, env, Clock.systemUTC());
  }

  public static void main(String[] args) {
    int code = new Main(System.out, System.err).run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command; returns the exit code. */
  int run(String... argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    boolean debug = args.remove("--debug");
    CommandLine cl = commandLine(cli, args);
    if (args.isEmpty()) {
      cl.usage(cli.err());
      return ExitCode.USAGE;
    }
    cl.setExecutionExceptionHandler((e, c, parsed) -> failed(e, c, debug));
    cl.setParameterExceptionHandler((e, a) -> badArguments(e));
    return cl.execute(args.toArray(new String[0]));
  }

  /** The whole command tree, writing to {@code cli}'s streams. */
  static CommandLine commandLine(Cli cli) {
    return commandLine(cli, List.of());
  }

  /** The command tree {@code args} need (see {@link Commands#tree(Cli, List)}), writing to {@code cli}'s streams. */
  static CommandLine commandLine(Cli cli, List<String> args) {
    CommandLine cl = Commands.tree(cli, args);
    cl.setOut(new PrintWriter(cli.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(cli.err(), true, StandardCharsets.UTF_8));
    cl.setExpandAtFiles(false); // an argument "@file" is a value, never a file's contents
    cl.setAbbreviatedOptionsAllowed(false);
    cl.setAbbreviatedSubcommandsAllowed(false);
    return cl;
  }

  /** The version of this build, from {@code smc/version.properties}. */
  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/smc/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private int failed(Exception e, CommandLine c, boolean debug) {
    String cmd = qualified(c.getCommandSpec());
    PrintStream err = cli.err();
    cli.out().flush();
    if (e instanceof UsageException) {
      err.println("smc " + e.getMessage());
      return ExitCode.USAGE;
    }
    if (e instanceof InvalidSpecException ise) {
      for (FieldError f : ise.errors()) {
        err.println("smc " + cmd + ": " + TaskOptions.describe(cmd, f));
      }
      return ExitCode.USAGE;
    }
    // what the input names and is not there (or is there already) is bad input too
    boolean bad = e instanceof SmcException se && (se.code() == ErrorCode.INVALID_SPEC
        || se.code() == ErrorCode.NOT_FOUND || se.code() == ErrorCode.ALREADY_EXISTS);
    err.println("smc " + cmd + ": " + (bad ? "" : "error: ") + Cli.describe(e));
    if (debug) {
      e.printStackTrace(err);
    }
    return bad ? ExitCode.USAGE : ExitCode.FAILED;
  }

  /** A parse error: what was wrong, the nearest spelling, and where help is. */
  private int badArguments(ParameterException e) {
    CommandLine c = e.getCommandLine();
    CommandSpec spec = c.getCommandSpec();
    String cmd = qualified(spec);
    PrintStream err = cli.err();
    String line = e.getMessage();
    if (e instanceof MissingParameterException mp && !mp.getMissing().isEmpty()
        && mp.getMissing().get(0) instanceof OptionSpec o) {
      line = o.longestName() + " needs a value";
    } else if (e.getArgSpec() instanceof OptionSpec o) {
      boolean flag = o.arity().max() == 0;
      line = e instanceof MissingParameterException ? o.longestName() + " needs a value"
          : flag ? o.longestName() + " takes no value" : line;
    } else if (e instanceof OverwrittenOptionException) {
      line = line.replaceFirst("^option '(--[a-z-]+)' \\(.*\\) should be specified only once", "$1 given more than"
          + " once; give it once");
    }
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      List<String> near = u.getSuggestions();
      String mean = near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near.subList(0, Math.min(3,
          near.size()))) + "?";
      if (arg.startsWith("-")) {
        TreeSet<String> all = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
          all.add(o.longestName());
        }
        line = "unknown option " + arg.replaceFirst("=.*", "") + mean + " (allowed: " + String.join(" ", all) + ")";
      } else if (!spec.subcommands().isEmpty()) {
        line = "unknown command '" + arg + "'" + mean + " (allowed: " + String.join(", ", visible(spec)) + ")";
      } else {
        line = "unexpected argument '" + arg + "'";
      }
    }
    err.println("smc" + (cmd.isEmpty() ? "" : " " + cmd) + ": " + line);
    return ExitCode.USAGE;
  }

  private static List<String> visible(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    spec.subcommands().forEach((n, sub) -> {
      if (!sub.getCommandSpec().usageMessage().hidden() && !names.contains(sub.getCommandName())) {
        names.add(sub.getCommandName());
      }
    });
    return names;
  }

  private static String qualified(CommandSpec spec) {
    return spec.qualifiedName(" ").replaceFirst("^smc ?", "");
  }
}
