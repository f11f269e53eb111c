package dev.smc.examples.cli;

import java.util.concurrent.Callable;
import javax.annotation.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code smc} command has: {@code -h/--help}, its name for messages ({@code "task create"}),
 * the run's {@link Cli}, and the checks of option values that give the CLI's one-line errors
 * (option, value, what is allowed; exit 2). Options are taken as text and checked here rather than
 * converted by picocli, so every message has that form.
 */
abstract class CliCommand implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  final Cli cli;

  CliCommand(Cli cli) {
    this.cli = cli;
  }

  /** Runs the command; returns its exit code ({@link ExitCode}). */
  abstract int run() throws Exception;

  @Override
  public final Integer call() throws Exception {
    return run();
  }

  /** The command as operators type it after {@code smc}: {@code migrate}, {@code task create}. */
  String name() {
    return spec.qualifiedName(" ").replaceFirst("^smc ", "");
  }

  UsageException usage(String message) {
    return new UsageException(name() + ": " + message);
  }

  /** {@code value}, which must be given: else "--OPTION is required: ALLOWED". */
  String required(@Nullable String value, String option, String allowed) {
    if (value == null || value.isEmpty()) {
      throw usage(option + " is required: " + allowed);
    }
    return value;
  }

  /** A whole number {@code min..max}, {@code def} when not given. */
  long number(@Nullable String value, String option, long def, long min, long max) {
    if (value == null) {
      return def;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw usage(option + " '" + value + "': allowed a whole number " + min + ".." + max);
  }

  /** The worker threads of {@code --threads}: 1..256, default the processors (at least 2). */
  int threads(@Nullable String value) {
    return (int) number(value, "--threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 256);
  }
}
