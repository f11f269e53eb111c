package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code smc serve}: ticks the scheduler (scheduled starts, interval cycles, expiry, and resuming the
 * cycles that a stop, crash or reboot of their owner interrupted) until SIGTERM or SIGINT, then closes
 * it (running cycles are recorded as interrupted, for the next serve to resume) and exits 0. It logs
 * each tick's decisions and each cycle's start and end to stderr. Never returns otherwise.
 */
@Command(name = "serve", description = {"Run the tasks' due cycles, expiry and recovery until SIGTERM or Ctrl-C;"
    + " then every task is stored and smc exits 0.", "A cycle that was interrupted because its owner stopped,"
    + " crashed or the machine rebooted (InError 'interrupted', also one that this serve's SIGTERM stopped) is"
    + " resumed: the same cycle, reusing what it had stored; other errors stay InError until 'task start'.",
    "Logs to stderr each tick's decisions and each cycle's start and end (INFO; with"
    + " -Dorg.slf4j.simpleLogger.log.dev.smc=debug also the ticks that change nothing)."})
final class ServeCommand extends CliCommand {
  /** The level of the library's loggers; read when they are made, so set before the scheduler is opened. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.smc";

  @Mixin HomeOptions home;

  @Option(names = "--tick", paramLabel = "SECONDS", description = "How often to look for due work, 1-3600"
      + " (default 30).")
  @Nullable String tick;

  ServeCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    Duration every = Duration.ofSeconds(number(tick, "--tick", 30, 1, 3600));
    // the library logs through SLF4J (slf4j-simple, off for the other commands): serve's log is its ticks and cycles
    if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, "info");
    }
    TaskSession s = TaskSession.open(this, home, false, MigrationListener.NONE, every);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.closeQuietly();
      try {
        s.closeRepository();
      } catch (IOException e) {
        cli.err().println("smc serve: closing the repository failed: " + Cli.describe(e));
      }
      cli.out().println("smc serve: stopped; every task is stored");
      cli.out().flush();
      stopped.countDown();
      // a JVM ended by a signal exits 128+signal; a clean checkpoint is a success
      Runtime.getRuntime().halt(0);
    }, "smc-serve-shutdown"));
    s.m.start();
    cli.out().println("smc serve: " + s.home + ", " + s.m.tasks().size() + " tasks, ticking every "
        + every.toSeconds() + " s; SIGTERM or Ctrl-C stops");
    cli.out().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCode.OK;
  }
}
