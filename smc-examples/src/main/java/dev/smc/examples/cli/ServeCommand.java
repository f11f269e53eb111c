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
 * {@code smc serve}: ticks the scheduler (scheduled starts, interval cycles, expiry) until SIGTERM
 * or SIGINT, then closes it (running cycles are recorded as interrupted, to be resumed) and exits
 * 0. Never returns otherwise.
 */
@Command(name = "serve", description = "Run the tasks' due cycles, expiry and recovery until SIGTERM or Ctrl-C;"
    + " then every task is stored and smc exits 0.")
final class ServeCommand extends CliCommand {
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
