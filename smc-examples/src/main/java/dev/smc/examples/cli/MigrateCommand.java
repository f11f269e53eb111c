package dev.smc.examples.cli;

import dev.smc.CycleReport;
import dev.smc.MigrationListener;
import dev.smc.PostSnapshotException;
import dev.smc.TransferOptions;
import dev.smc.internal.Checks;
import dev.smc.spi.SnapshotHooks;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.paths.SourcePaths;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.source.CommandHooks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code smc migrate}: one cycle of a folder (file by file) or a disk (block by block) into a
 * repository. Every option is checked before the repository is opened (so bad input creates
 * nothing): the image name, the excludes, and the source, examined without being opened. Exit 0
 * when the image was made, 4 when it was made but the post-snapshot hook failed, 1 on failure, 2
 * on bad input. Not thread-safe; one instance per command.
 */
final class MigrateCommand {
  private final PrintStream out;
  private final PrintStream err;

  MigrateCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(List<String> argv) throws IOException {
    Args a = new Args("migrate", argv, Set.of("source", "repo", "image-name", "exclude", "exclude-from", "compress",
        "bwlimit", "threads", "mode", "partitions", "pre-snapshot", "post-snapshot"), Set.of("checksum", "json"));
    a.noPositional();
    String source = a.required("source", "the folder, disk image file or block device to migrate");
    String repoDir = a.required("repo", "the repository folder (created when missing)");
    String name = a.required("image-name", Checks.IMAGE_NAME_ALLOWED);
    new Checks().imageName("--image-name", name).throwIfAny();
    long compress = a.longValue("compress", 0, 0, TransferOptions.MAX_COMPRESSION_LEVEL);
    long bw = a.longValue("bwlimit", 0, 0, TransferOptions.MAX_BANDWIDTH_KBPS);
    int threads = (int) a.longValue("threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 256);
    TransferOptions options = new TransferOptions(bw, (int) compress, a.flag("checksum"));
    List<String> patterns = new ArrayList<>(a.all("exclude"));
    for (String f : a.all("exclude-from")) {
      patterns.addAll(ExcludeFiles.read("migrate", f));
    }
    Excludes excludes = Excludes.of(patterns);
    SourcePaths.Kind kind = SourcePaths.check("--source", Path.of(source));
    String mode = a.get("mode");
    if (mode == null) {
      mode = kind == SourcePaths.Kind.FOLDER ? "file" : "block";
    }
    if (!mode.equals("file") && !mode.equals("block")) {
      throw new UsageException("migrate: --mode '" + mode + "': allowed file (a folder) or block (a disk image or device)");
    }
    if (mode.equals("file") && kind != SourcePaths.Kind.FOLDER) {
      throw new UsageException("migrate: --source '" + source + "': must be a folder for --mode file");
    }
    if (mode.equals("block") && kind == SourcePaths.Kind.FOLDER) {
      throw new UsageException("migrate: --source '" + source + "': must be a disk image file or a block device"
          + " for --mode block (or a folder for --mode file)");
    }
    Set<Integer> parts = partitions(a, mode);
    if (mode.equals("block") && !excludes.isEmpty()) {
      throw new UsageException("migrate: --exclude applies to --mode file only; a disk is copied block by block");
    }
    if (mode.equals("file")) {
      RepoFolder.refuseSourceIn("migrate", "--repo", repoDir, Path.of(source));
    }
    Path src = Path.of(source).toRealPath();
    SnapshotHooks hooks = new CommandHooks(Optional.ofNullable(a.get("pre-snapshot")),
        Optional.ofNullable(a.get("post-snapshot")), 600);
    try (Repository repo = Main.openRepo(repoDir, options, a)) {
      MigrationListener progress = a.flag("json") ? MigrationListener.NONE : new Main.TerminalProgress(err);
      CycleReport r;
      String hookFailure = null;
      try {
        r = mode.equals("file") ? fileEngine(threads, progress, hooks).run(repo, src, name, excludes, options)
            : blockEngine(threads, progress, hooks, parts).run(repo, src, name, options);
      } catch (PostSnapshotException e) {
        r = e.report();
        hookFailure = e.getMessage();
      }
      print(r, mode, a.flag("json"), hookFailure);
      if (hookFailure != null) {
        err.println("smc migrate: error: " + hookFailure + " (the image is kept and restores; see to what the hook"
            + " should have undone)");
        return ExitCode.HOOK_FAILED;
      }
      return ExitCode.OK;
    }
  }

  /** The file engine; the CLI's index cache is left out of the source too, should it lie inside. */
  private static FileMigration fileEngine(int threads, MigrationListener progress, SnapshotHooks hooks) {
    FileMigration.Builder b = FileMigration.builder().threads(threads).listener(progress).hooks(hooks);
    Path cache = Main.cacheDir();
    if (Files.isDirectory(cache)) {
      b.leaveOut(cache);
    }
    return b.build();
  }

  private static BlockMigration blockEngine(int threads, MigrationListener progress, SnapshotHooks hooks,
      Set<Integer> partitions) {
    BlockMigration.Builder b = BlockMigration.builder().threads(threads).listener(progress).hooks(hooks);
    if (!partitions.isEmpty()) {
      b.partitions(partitions);
    }
    return b.build();
  }

  private static Set<Integer> partitions(Args a, String mode) {
    Set<Integer> parts = new TreeSet<>();
    if (a.get("partitions") == null) {
      return parts;
    }
    if (!mode.equals("block")) {
      throw new UsageException("migrate: --partitions applies to --mode block only");
    }
    for (String n : a.get("partitions").split(",")) {
      try {
        int v = Integer.parseInt(n.trim());
        if (v < 1) {
          throw new NumberFormatException();
        }
        parts.add(v);
      } catch (NumberFormatException e) {
        throw new UsageException("migrate: --partitions '" + a.get("partitions")
            + "': allowed partition numbers separated by commas, e.g. 1,3 (see smc describe)");
      }
    }
    return parts;
  }

  private void print(CycleReport r, String mode, boolean json, String hookFailure) {
    if (json) {
      Map<String, Object> m = report(r);
      m.put("postSnapshotError", hookFailure);
      out.println(Json.of(m));
      return;
    }
    if (mode.equals("file")) {
      out.printf(Locale.ROOT, "%s: %s cycle, %d files, %s scanned, %s read, %s stored (%d new chunks, %d reused,"
              + " %d files unchanged) in %.2f s%n", r.image(), r.type().name().toLowerCase(Locale.ROOT),
          r.filesScanned(), Main.size(r.bytesScanned()), Main.size(r.bytesRead()), Main.size(r.bytesStored()),
          r.chunksNew(), r.chunksReused(), r.filesReused(), r.elapsed().toNanos() / 1e9);
    } else {
      Map<String, Long> d = r.details();
      out.printf(Locale.ROOT, "%s: %s cycle, %s disk, %s read, %s stored; blocks: %d scanned, %d skipped as free,"
              + " %d holes, %d zero, %d unchanged, %d stored, %d deduplicated in %.2f s%n", r.image(),
          r.type().name().toLowerCase(Locale.ROOT), Main.size(r.bytesScanned()), Main.size(r.bytesRead()),
          Main.size(r.bytesStored()), d.get("blocksScanned"), d.get("blocksFree"), d.get("blocksHoles"),
          d.get("blocksZero"), d.get("blocksUnchanged"), d.get("blocksStored"), d.get("blocksDeduplicated"),
          r.elapsed().toNanos() / 1e9);
    }
    out.println(sent(r));
    r.warnings().forEach(w -> out.println("warning: " + w));
  }

  /**
   * What a cycle sent to the repository and how fast: {@code sent 16.0 MiB in 8.02 s (2043 KiB/s)}. What
   * was sent is what the cycle stored (after dedup and compression); the rate is over the whole cycle,
   * scanning included, so under {@code --bwlimit} it is at most about the limit.
   */
  static String sent(CycleReport r) {
    return String.format(Locale.ROOT, "sent %s in %.2f s (%d KiB/s)", Main.size(r.bytesStored()),
        r.elapsed().toNanos() / 1e9, rateKBps(r));
  }

  /** Bytes stored per second of the whole cycle, in KiB/s, rounded; 0 for a cycle that took no time. */
  static long rateKBps(CycleReport r) {
    long nanos = r.elapsed().toNanos();
    return nanos <= 0 ? 0 : Math.round(r.bytesStored() / 1024.0 / (nanos / 1e9));
  }

  static Map<String, Object> report(CycleReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cycle", r.image().cycle());
    m.put("image", r.image().toString());
    m.put("type", r.type().name());
    m.put("filesScanned", r.filesScanned());
    m.put("bytesScanned", r.bytesScanned());
    m.put("bytesRead", r.bytesRead());
    m.put("bytesStored", r.bytesStored());
    m.put("chunksNew", r.chunksNew());
    m.put("chunksReused", r.chunksReused());
    m.put("filesReused", r.filesReused());
    m.put("bytesSent", r.bytesStored());
    m.put("seconds", Math.round(r.elapsed().toNanos() / 1e6) / 1e3);
    m.put("rateKBps", rateKBps(r));
    m.putAll(r.details());
    List<Object> w = new ArrayList<>();
    r.warnings().forEach(x -> w.add(Map.of("path", x.path(), "reason", x.reason())));
    m.put("warnings", w);
    return m;
  }
}
