package dev.smc.examples.cli;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.MigrationListener;
import dev.smc.PostSnapshotException;
import dev.smc.TransferOptions;
import dev.smc.spi.SnapshotHooks;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.paths.SourcePaths;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.source.CommandHooks;
import dev.smc.transfer.source.ServerDisksSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code smc migrate}: one cycle of a folder (file by file) or a disk (block by block) into a
 * repository. Every option is checked before the repository is opened (so bad input creates
 * nothing): the image name, the excludes, and the source, examined without being opened. Not
 * thread-safe; one instance per command.
 */
@Command(name = "migrate", sortOptions = false,
    description = "Run one cycle: copy a folder (file by file) or a disk (block by block) into the repository"
        + " as image NAME-CYCLE_<n>. The first cycle of a name copies everything; later ones send only what"
        + " changed and still make a complete image.",
    footer = {"", ExitCode.HELP})
final class MigrateCommand extends CliCommand {
  @Option(names = "--source", paramLabel = "DIR|DISK", description = "The folder, disk image file or block"
      + " device to migrate.")
  @Nullable String source;

  @Option(names = "--disk", paramLabel = "FILE|DEVICE", description = "A disk of a stopped or snapshotted server"
      + " (repeatable; the first is the system disk): its file systems are mounted read-only (as root) where the"
      + " server's fstab mounts them, and the server's files are copied as one tree. Instead of --source.")
  List<String> disks = new ArrayList<>();

  @Option(names = "--data-disks", paramLabel = "1,3", description = "With --disk: copy only these data disks (the"
      + " second --disk is data disk 1; default all). The system disk is always copied.")
  @Nullable String dataDisks;

  @Mixin RepoOptions repo;

  @Option(names = "--image-name", paramLabel = "NAME", description = "The images' name: 2-128 characters, an"
      + " ASCII letter, then letters, digits, '.', '_', '-' (a host name works).")
  @Nullable String imageName;

  @Option(names = "--mode", paramLabel = "file|block", description = "file (a folder; the default for one) or"
      + " block (a disk; the default for one).")
  @Nullable String mode;

  @Option(names = "--exclude", paramLabel = "PATTERN", description = "Leave out matching paths (file mode;"
      + " repeatable), e.g. var/cache/ or *.tmp.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--exclude-from", paramLabel = "FILE", description = "Exclude patterns, one a line.")
  List<String> excludeFrom = new ArrayList<>();

  @Option(names = "--partitions", paramLabel = "1,3", description = "Block mode: only these partitions (smc"
      + " describe numbers them); the rest of the disk is left out.")
  @Nullable String partitions;

  @Mixin SnapshotOptions snapshot = new SnapshotOptions();

  @Option(names = "--compress", paramLabel = "0-10", description = "Compression level: 0 none (the default),"
      + " 1-10 more and slower.")
  @Nullable String compress;

  @Option(names = "--checksum", description = "Verify what is stored: read back new packs whole and prove that"
      + " every chunk the image names is in its pack, before the image is committed.")
  boolean checksum;

  @Option(names = "--bwlimit", paramLabel = "KBPS", description = "Send at most this many KiB a second (0: no"
      + " limit, the default).")
  @Nullable String bwlimit;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads, 1-256 (default: the processors,"
      + " at least 2).")
  @Nullable String threads;

  @Option(names = "--json", description = "Print the cycle's report as JSON (no progress line).")
  boolean json;

  MigrateCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    if (!disks.isEmpty()) {
      return server();
    }
    if (dataDisks != null) {
      throw usage("--data-disks '" + dataDisks + "': allowed with --disk only (the disks of a server)");
    }
    String src0 = required(source, "--source", "the folder, disk image file or block device to migrate; or --disk");
    String repoDir = repo.required(this, "the repository folder (created when missing)");
    String name = required(imageName, "--image-name", ImageRef.NAME_ALLOWED);
    ImageRef.checkName("--image-name", name);
    int workers = threads(threads);
    TransferOptions options = transferOptions();
    Excludes excludes = excludes();
    SourcePaths.Kind kind = SourcePaths.check("--source", Path.of(src0));
    String m = mode != null ? mode : kind == SourcePaths.Kind.FOLDER ? "file" : "block";
    if (!m.equals("file") && !m.equals("block")) {
      throw usage("--mode '" + m + "': allowed file (a folder) or block (a disk image or device)");
    }
    if (m.equals("file") && kind != SourcePaths.Kind.FOLDER) {
      throw usage("--source '" + src0 + "': must be a folder for --mode file");
    }
    if (m.equals("block") && kind == SourcePaths.Kind.FOLDER) {
      throw usage("--source '" + src0 + "': must be a disk image file or a block device for --mode block (or a"
          + " folder for --mode file)");
    }
    Set<Integer> parts = partitions(m);
    if (m.equals("block") && !excludes.isEmpty()) {
      throw usage("--exclude applies to --mode file only; a disk is copied block by block");
    }
    if (m.equals("file")) {
      RepoFolder.refuseSourceIn(name(), "--repo", repoDir, Path.of(src0));
    }
    Path src = Path.of(src0).toRealPath();
    SnapshotHooks hooks = CommandHooks.around(snapshot.commands(), SnapshotHooks.NONE);
    try (Repository r = repo.open(this, repoDir, options)) {
      return cycle(progress -> m.equals("file") ? fileEngine(workers, progress, hooks).run(r, src, name, excludes,
          options) : blockEngine(workers, progress, hooks, parts).run(r, src, name, options));
    }
  }

  /** One engine's cycle. */
  private interface CycleRun {
    CycleReport run(MigrationListener progress) throws IOException;
  }

  /** Runs a cycle with the progress line on stderr (none with --json) and prints its report. */
  private int cycle(CycleRun run) throws IOException {
    ProgressLine line = ProgressLine.forStderr(cli);
    MigrationListener progress = json ? MigrationListener.NONE : line;
    CycleReport report;
    String hookFailure = null;
    try {
      report = run.run(progress);
    } catch (PostSnapshotException e) {
      report = e.report();
      hookFailure = e.getMessage();
    } finally {
      line.clear();
    }
    return CycleOutput.print(cli, name(), report, json, hookFailure);
  }

  /**
   * A server's disks: its file systems mounted read-only as the server mounts them, copied as one tree (excludes
   * relative to the server's root, crossing into the data disks' mount points); the image carries the server's
   * description (property {@code server}, {@code DescriptionCodec}).
   */
  private int server() throws IOException {
    if (source != null) {
      throw usage("--source '" + source + "' and --disk: give one or the other");
    }
    if (mode != null && !mode.equals("file") || partitions != null) {
      throw usage("--disk copies a server file by file; block-level partitions of a server are not supported yet");
    }
    String repoDir = repo.required(this, "the repository folder (created when missing)");
    String name = required(imageName, "--image-name", ImageRef.NAME_ALLOWED);
    ImageRef.checkName("--image-name", name);
    int workers = threads(threads);
    TransferOptions options = transferOptions();
    Excludes excludes = excludes();
    List<Path> paths = DataDisks.diskPaths(name(), disks);
    SnapshotHooks hooks = CommandHooks.around(snapshot.commands(), SnapshotHooks.NONE);
    ServerDisksSource server = new ServerDisksSource(paths, DataDisks.parse(name(), dataDisks, paths.size()));
    try (ServerDisksSource.Snapshot snap = server.open(); Repository r = repo.open(this, repoDir, options)) {
      snap.description().warnings().forEach(w -> cli.err().println("smc migrate: warning: " + w));
      return cycle(progress -> fileBuilder(workers, progress, hooks).serverImage(server.id(), snap.description())
          .build().run(r, snap.root(), name, excludes, options));
    }
  }

  private TransferOptions transferOptions() {
    long level = number(compress, "--compress", 0, 0, TransferOptions.MAX_COMPRESSION_LEVEL);
    long bw = number(bwlimit, "--bwlimit", 0, 0, TransferOptions.MAX_BANDWIDTH_KBPS);
    return new TransferOptions(bw, (int) level, checksum);
  }

  /** {@code --exclude} and the patterns of every {@code --exclude-from} file. */
  private Excludes excludes() throws IOException {
    List<String> patterns = new ArrayList<>(exclude);
    for (String f : excludeFrom) {
      patterns.addAll(ExcludeFiles.read(name(), f));
    }
    return Excludes.of(patterns);
  }

  /** The file engine; the CLI's index cache is left out of the source too, should it lie inside. */
  private FileMigration fileEngine(int workers, MigrationListener progress, SnapshotHooks hooks) {
    return fileBuilder(workers, progress, hooks).build();
  }

  private FileMigration.Builder fileBuilder(int workers, MigrationListener progress, SnapshotHooks hooks) {
    FileMigration.Builder b = FileMigration.builder().threads(workers).listener(progress).hooks(hooks);
    Path cache = cli.cacheDir();
    if (Files.isDirectory(cache)) {
      b.leaveOut(cache);
    }
    return b;
  }

  private static BlockMigration blockEngine(int workers, MigrationListener progress, SnapshotHooks hooks,
      Set<Integer> partitions) {
    BlockMigration.Builder b = BlockMigration.builder().threads(workers).listener(progress).hooks(hooks);
    if (!partitions.isEmpty()) {
      b.partitions(partitions);
    }
    return b.build();
  }

  private Set<Integer> partitions(String m) {
    Set<Integer> parts = new TreeSet<>();
    if (partitions == null) {
      return parts;
    }
    if (!m.equals("block")) {
      throw usage("--partitions applies to --mode block only");
    }
    for (String n : partitions.split(",", -1)) {
      try {
        int v = Integer.parseInt(n.trim());
        if (v < 1) {
          throw new NumberFormatException();
        }
        parts.add(v);
      } catch (NumberFormatException e) {
        throw usage("--partitions '" + partitions + "': allowed partition numbers separated by commas, e.g. 1,3"
            + " (see smc describe)");
      }
    }
    return parts;
  }
}
