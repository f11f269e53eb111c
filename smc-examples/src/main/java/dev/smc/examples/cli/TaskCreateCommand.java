package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.MigrationTask;
import dev.smc.spi.SourceDescription;
import dev.smc.transfer.blocks.DiskSource;
import dev.smc.transfer.files.LocalTreeSource;
import dev.smc.transfer.source.ServerDescriber;
import dev.smc.transfer.source.SourceLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smc task create}: a task from options, checked all at once (every bad field a line, exit 2). */
@Command(name = "create", sortOptions = false, description = "Create a task; with run mode now (the default)"
    + " its first cycle runs here. Every bad option is reported at once, one line each.")
final class TaskCreateCommand extends TaskBase {
  @Option(names = "--name", paramLabel = "N", description = "The task's name: 2-128 characters, starting with a"
      + " letter.")
  @Nullable String taskName;

  @Option(names = "--source", paramLabel = "DIR|DISK", description = "The folder, disk image file or block device.")
  @Nullable String source;

  @Option(names = "--image-name", paramLabel = "I", description = "The images' name (they are NAME-CYCLE_<n>).")
  @Nullable String imageName;

  @Option(names = "--incremental", description = "Sync again and again (with --interval and --max-images).")
  boolean incremental;

  @Option(names = "--interval", paramLabel = "6h", description = "Between cycles: whole hours or days, 1h..168h"
      + " (1d..7d).")
  @Nullable String interval;

  @Option(names = "--max-images", paramLabel = "1-10", description = "The newest images kept.")
  @Nullable String maxImages;

  @Option(names = "--run", paramLabel = "MODE", description = "now (the default), create-only, or"
      + " at:2026-12-01T02:00:00Z (10 minutes to 30 days ahead).")
  @Nullable String run;

  @Option(names = "--valid-days", paramLabel = "7-90", description = "Days the task lives (default 30).")
  @Nullable String validDays;

  @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag (repeatable, at most 20).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "PATTERN", description = "Leave out matching paths (repeatable).")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--compress", paramLabel = "0-10", description = "Compression level (default 0, none).")
  @Nullable String compress;

  @Option(names = "--bwlimit", paramLabel = "KBPS", description = "Send at most this many KiB a second.")
  @Nullable String bwlimit;

  @Option(names = "--checksum", description = "Verify what each cycle stores before it is committed.")
  boolean checksum;

  @Option(names = "--description", paramLabel = "T", description = "Free text.")
  @Nullable String description;

  @Option(names = "--client-token", paramLabel = "T", description = "Makes creation idempotent: a second create"
      + " with the same token and fields is the same task.")
  @Nullable String clientToken;

  @Option(names = "--disk", paramLabel = "FILE|DEVICE", description = "A disk of a stopped or snapshotted server"
      + " (repeatable; the first is the system disk), as smc migrate --disk takes it; instead of --source.")
  List<String> disks = new ArrayList<>();

  @Option(names = "--data-disks", paramLabel = "1,3", description = "With --disk: copy only these data disks"
      + " (default all; none for no data disk). The system disk is always copied.")
  @Nullable String dataDisks;

  @Mixin SnapshotOptions snapshot = new SnapshotOptions();

  @Mixin LayoutOptions layout = new LayoutOptions();

  /** The {@code disks:} locator of {@code --disk}, each disk a file or device; null without {@code --disk}. */
  @Nullable
  private String serverDisks() throws IOException {
    if (disks.isEmpty()) {
      if (dataDisks != null) {
        throw usage("--data-disks '" + dataDisks + "': allowed with --disk only (the disks of a server)");
      }
      return null;
    }
    if (source != null) {
      throw usage("--source '" + source + "' and --disk: give one or the other");
    }
    List<Path> paths = DataDisks.diskPaths(name(), disks);
    return SourceLocator.ofDisks(paths, DataDisks.parse(name(), dataDisks, paths.size()));
  }

  TaskCreateCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    TaskOptions o = new TaskOptions();
    String locator = serverDisks();
    TaskSpec.Builder b = TaskSpec.builder()
        .name(required(taskName, "--name", "the task name: 2-128 characters, starting with a letter"))
        .source(locator != null ? locator : required(source, "--source", "the folder, disk image file or block"
            + " device to migrate; or --disk"))
        .imageName(required(imageName, "--image-name", ImageRef.NAME_ALLOWED))
        .runMode(o.runMode(run))
        .validity(o.validity(validDays))
        .excludes(exclude)
        .transfer(o.transfer(bwlimit, compress, checksum))
        .clientToken(clientToken)
        .snapshotCommands(snapshot.commands())
        .now(cli.clock().instant());
    if (description != null) {
      b.description(description);
    }
    if (incremental || interval != null || maxImages != null) {
      b.incremental(o.interval(interval), o.maxImages(maxImages));
    }
    o.tags(tags, b);
    if (layout.given() && source != null && dev.smc.transfer.source.MigrationSources.factoryOf(source).isPresent()) {
      b.targetDisks(layout.layout(name(), dev.smc.transfer.source.MigrationSources.open(source).orElseThrow()
          .describe(), false));
    } else if (layout.given() && locator != null) {
      b.targetDisks(layout.layout(name(), ServerDescriber.ofDisks(SourceLocator.disks(locator).orElseThrow()), false));
    } else if (layout.given() && source != null) {
      Path src = Path.of(source);
      boolean folder = Files.isDirectory(src);
      SourceDescription described = folder ? new LocalTreeSource(src).describe() : new DiskSource(src).describe();
      b.targetDisks(layout.layout(name(), described, !folder));
    }
    TaskSpec spec = o.build(b);
    // before the session opens (and so creates) the repository: never in the source itself
    Path h = home.home(this, true);
    if (locator == null && dev.smc.transfer.source.MigrationSources.factoryOf(spec.source()).isEmpty()) {
      RepoFolder.refuseSourceIn(name(), home.repo.location(cli) == null ? "the task store's repository" : "--repo",
          home.repository(this, h), Path.of(spec.source()));
    }
    try (TaskSession s = TaskSession.open(this, home, true, progress(), null).closeOnShutdown()) {
      MigrationTask t = s.m.create(spec);
      if (t.state() == TaskState.Running) {
        return foreground(s, t.name());
      }
      print(s, t, "task " + t.name() + " created: " + t.state() + t.nextRun().map(n -> ", runs at " + Fmt.time(n))
          .orElse(""));
      return ExitCode.OK;
    }
  }
}
