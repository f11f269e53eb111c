package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.MigrationListener;
import dev.smc.TaskState;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the {@code task} subcommands share: the home, {@code --json}, the task name argument, and
 * running a cycle in the foreground. Commands that run a cycle run it in this process and return
 * when it ends.
 */
abstract class TaskBase extends CliCommand {
  /** A foreground cycle is waited for as long as it takes. */
  static final Duration FOREVER = Duration.ofDays(3650);

  @Mixin HomeOptions home;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  TaskBase(Cli cli) {
    super(cli);
  }

  /** The store of an existing home. */
  TaskSession session(MigrationListener listener) throws IOException {
    return TaskSession.open(this, home, false, listener, null);
  }

  MigrationListener progress() {
    return json ? MigrationListener.NONE : ProgressLine.forStderr(cli);
  }

  /** The one task name of {@code names}, the command's positional arguments. */
  String taskName(List<String> names) {
    if (names.size() != 1) {
      throw usage(names.isEmpty() ? "the task name is required, e.g. smc " + name() + " web"
          : "one task name expected, got " + names);
    }
    return names.get(0);
  }

  /**
   * Waits for the task's cycle to end here; 0 when it succeeded, 4 when it made its image but its
   * post-snapshot hook failed after it (the cycle record names the image), 1 (with the error) when not.
   */
  int foreground(TaskSession s, String task) throws IOException {
    MigrationTask t = s.m.awaitCycle(task, FOREVER);
    boolean ok = t.state() == TaskState.Waiting || t.state() == TaskState.Finished;
    Optional<ImageRef> made = ok ? Optional.empty() : t.lastCycle()
        .filter(c -> c.outcome() == CycleRecord.Outcome.Failed).flatMap(CycleRecord::image);
    if (json) {
      cli.out().println(Json.of(TaskViews.detail(t, s.m.images(t.name()))));
    } else {
      cli.out().println(TaskViews.cycleLine(t));
    }
    cli.out().flush();
    if (made.isPresent()) {
      cli.err().println("smc " + name() + ": error: task " + t.name() + ": image " + made.get() + " was made and is"
          + " kept, but the cycle failed after it: " + t.error().orElse("") + " (see smc task logs " + t.name()
          + "; smc task start " + t.name() + " runs the next cycle)");
      return ExitCode.HOOK_FAILED;
    }
    if (!ok) {
      cli.err().println("smc " + name() + ": error: task " + t.name() + " is " + t.state()
          + t.error().map(e -> ": " + e).orElse("") + " (see smc task logs " + t.name() + "; smc task start "
          + t.name() + " resumes)");
    }
    return ok ? ExitCode.OK : ExitCode.FAILED;
  }

  /** {@code line}, or the task as JSON. */
  void print(TaskSession s, MigrationTask t, String line) throws IOException {
    cli.out().println(json ? Json.of(TaskViews.detail(t, s.m.images(t.name()))) : line);
  }
}
