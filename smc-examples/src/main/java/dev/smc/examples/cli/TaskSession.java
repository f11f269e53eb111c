package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.TransferOptions;
import dev.smc.scheduler.Migrations;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import javax.annotation.Nullable;

/** A scheduler over a task store (HOME) and its repository, both closed with it. Not thread-safe. */
final class TaskSession implements AutoCloseable {
  final Migrations m;
  final Path home;
  private final Repository repo;
  private final Cli cli;
  @Nullable private Thread hook;

  private TaskSession(Cli cli, Path home, Repository repo, Migrations m) {
    this.cli = cli;
    this.home = home;
    this.repo = repo;
    this.m = m;
  }

  /**
   * Opens the store of {@code c}'s home ({@code create}: making a missing one). A repository in a local
   * folder is served by one receiver for all the home's tasks (HOME/transit, a token per task), and every
   * cycle sends through it over HTTPS, as an operator's task would to a transit instance; one that is
   * already remote is written to directly. With {@code tickEvery} the scheduler is the service's: it
   * ticks that often once started, and resumes the cycles their owner's stop, crash or a reboot
   * interrupted.
   */
  static TaskSession open(CliCommand c, HomeOptions h, boolean create, MigrationListener listener,
      @Nullable Duration tickEvery) throws IOException {
    Path home = h.home(c, create);
    // opened here rather than by Migrations, so that HOME/repo gets the CLI's index cache too
    String location = h.repository(c, home);
    Repository repo = h.repo.open(c, location, TransferOptions.DEFAULTS);
    Migrations.Builder b = Migrations.builder().home(home).clock(c.cli.clock()).listener(listener).repository(repo)
        .transitReceivers(repo.backend() instanceof LocalFolderBackend);
    if (tickEvery != null) {
      b.tickEvery(tickEvery).resumeInterrupted(true);
    }
    try {
      Migrations m = b.build();
      try {
        HomeOptions.record(home, location);
      } catch (IOException | RuntimeException e) {
        m.close();
        throw e;
      }
      return new TaskSession(c.cli, home, repo, m);
    } catch (IOException | RuntimeException e) {
      repo.close();
      throw e;
    }
  }

  /** On Ctrl-C or SIGTERM while a cycle runs here: record it as interrupted, for the next start to resume. */
  TaskSession closeOnShutdown() {
    hook = new Thread(this::closeQuietly, "smc-cli-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return this;
  }

  void closeQuietly() {
    try {
      m.close();
    } catch (IOException | RuntimeException e) {
      cli.err().println("smc: closing the task store failed: " + Cli.describe(e));
    }
  }

  void closeRepository() throws IOException {
    repo.close();
  }

  @Override
  public void close() throws IOException {
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        return; // shutting down: the hook closes
      }
    }
    try {
      m.close();
    } finally {
      repo.close();
    }
  }
}
