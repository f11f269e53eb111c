package dev.smc.examples.cli;

import dev.smc.MigrationListener;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Modification;
import java.io.IOException;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smc task modify N ...}: rename, describe, or change the sync policy of a task. */
@Command(name = "modify", description = "Change a task's name, description, interval or max images.")
final class TaskModifyCommand extends OneTaskCommand {
  @Option(names = "--new-name", paramLabel = "N2", description = "The new name.")
  @Nullable String newName;

  @Option(names = "--description", paramLabel = "T", description = "The new description.")
  @Nullable String description;

  @Option(names = "--interval", paramLabel = "6h", description = "Whole hours or days, 1h..168h (1d..7d).")
  @Nullable String interval;

  @Option(names = "--max-images", paramLabel = "1-10", description = "The newest images kept.")
  @Nullable String maxImages;

  TaskModifyCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String task = task();
    TaskOptions o = new TaskOptions();
    Modification.Builder b = Modification.builder().name(newName).description(description)
        .interval(o.interval(interval)).maxImages(o.maxImages(maxImages));
    o.nameAndDescription(newName, description);
    o.throwIfAny();
    Modification mod = b.build();
    if (mod.name().isEmpty() && mod.description().isEmpty() && !mod.policy()) {
      throw usage("nothing to change (give --new-name, --description, --interval or --max-images)");
    }
    try (TaskSession s = session(MigrationListener.NONE)) {
      MigrationTask t = s.m.modify(task, mod);
      print(s, t, "task " + t.name() + " modified");
      return ExitCode.OK;
    }
  }
}
