package dev.smc.examples.cli;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.NotFoundException;
import dev.smc.SmcException;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.SourceDescription;
import dev.smc.transfer.blocks.BlockRestore;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.paths.RestoreTarget;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.source.DescriptionCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code smc restore}: an image into a folder (a file tree) or onto a disk (a new file or a block
 * device). The target is resolved first (every symlink of its folder's path) and the restore writes
 * and reports there; a target that is a symlink, or lies in the repository, is bad input (exit 2).
 * A restore that fails removes what it wrote unless {@code --keep-partial} (exit 1). Not
 * thread-safe; one instance per command.
 */
@Command(name = "restore", description = {"Restore an image: a file image into a folder, with owners, modes,"
    + " times, links and extended attributes; a disk image onto a new file or a block device (blocks the file"
    + " systems had free come back as zeros).", "A failed restore removes what it wrote."})
final class RestoreCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--image", paramLabel = "IMAGE", description = "NAME-CYCLE_N, or NAME (or NAME-latest) for the"
      + " newest image of NAME.")
  @Nullable String image;

  @Option(names = "--target", paramLabel = "DIR|FILE|DEVICE", description = "An empty or missing folder (file"
      + " images), a new file or a block device (disk images).")
  @Nullable String target;

  @Option(names = "--include", paramLabel = "PATH", description = "Restore only this file or folder of a file"
      + " image, with the folders above it (repeatable), e.g. etc/nginx.")
  List<String> include = new ArrayList<>();

  @Option(names = "--partition", paramLabel = "DISK_PART", description = "Of a server image (smc migrate --disk):"
      + " restore only this partition's file system (0_2 = partition 2 of the system disk) into the target, as its"
      + " own root; the file systems mounted inside it are left out (their mount point folders stay, empty).")
  @Nullable String partition;

  @Option(names = "--keep-partial", description = "On failure keep what was restored (files not finished are"
      + " removed either way).")
  boolean keepPartial;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads, 1-256.")
  @Nullable String threads;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  RestoreCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String text = required(image, "--image", "an image like NAME-CYCLE_3, or NAME for its newest");
    String given = required(target, "--target", "an empty or missing folder, a new file or a block device");
    int workers = threads(threads);
    try (Repository r = repo.existing(this)) {
      ImageRef ref = RepoOptions.image(this, r, "--image", text);
      Path to;
      try {
        to = RestoreTarget.resolve(r, Path.of(given));
      } catch (InvalidSpecException e) {
        throw usage("--target '" + given + "': allowed " + e.errors().get(0).allowed());
      }
      ImageInfo info = r.image(ref).orElseThrow(() -> new NotFoundException("image " + ref
          + " does not exist in " + r.backend().location()));
      try {
        if (info.kind() == ImageKind.BLOCKS) {
          if (!include.isEmpty()) {
            throw usage("--include applies to file images; " + ref + " is a disk image");
          }
          return blocks(r, ref, to);
        }
        return files(r, ref, to, workers);
      } catch (SmcException e) {
        if (e.code() == ErrorCode.INTEGRITY) {
          throw new SmcException(e.code(), e.getMessage() + " (smc check --read-data"
              + " lists every damaged file)", e);
        }
        throw e;
      }
    }
  }

  /** The restore of {@code --partition}'s file system: its mount point in the server the image holds. */
  private FileRestore fileSystemOf(Repository r, ImageRef ref, FileRestore restore) throws IOException {
    if (!include.isEmpty()) {
      throw usage("--partition and --include: give one or the other");
    }
    String held = r.image(ref).map(i -> i.properties().get(DescriptionCodec.PROPERTY)).orElse(null);
    if (held == null) {
      throw usage("--partition '" + partition + "': image " + ref + " is not a server's (smc migrate --disk); allowed"
          + " without --partition");
    }
    SourceDescription s = DescriptionCodec.decode(held);
    String[] dp = partition.split("_", -1);
    Optional<SourceDescription.Mount> mount = Optional.empty();
    if (dp.length == 2 && dp[0].matches("\\d{1,2}") && dp[1].matches("\\d{1,3}")) {
      mount = s.mountOf(Integer.parseInt(dp[0]), Integer.parseInt(dp[1]));
    }
    List<String> copied = s.mounts().stream().filter(m -> !m.fsType().equals("swap"))
        .map(m -> SourceDescription.partitionId(m.disk(), m.partition()) + " (" + m.mountPoint() + ")").toList();
    if (mount.isEmpty() || mount.get().fsType().equals("swap")) {
      throw usage("--partition '" + partition + "': allowed a partition whose files image " + ref + " holds: "
          + String.join(", ", copied));
    }
    String point = mount.get().mountPoint();
    List<String> inner = s.mounts().stream().map(SourceDescription.Mount::mountPoint)
        .filter(m -> !m.equals(point) && !m.equals("none") && (point.equals("/") || m.startsWith(point + "/")))
        .toList();
    return restore.fileSystem(point, inner);
  }

  private int blocks(Repository r, ImageRef ref, Path to) throws IOException {
    BlockRestore.Report br = new BlockRestore().keepPartial(keepPartial).restore(r, ref, to);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("image", br.image().toString());
      m.put("target", br.target().toString());
      m.put("bytes", br.diskSize());
      m.put("blocksWritten", br.blocksWritten());
      m.put("blocksHoles", br.blocksHoles());
      m.put("seconds", br.elapsed().toMillis() / 1e3);
      cli.out().println(Json.of(m));
    } else {
      cli.out().printf(Locale.ROOT, "restored %s into %s: %s disk, %d blocks written, %d left as holes (free or"
              + " zero; they read as zeros) in %s%n", br.image(), br.target(), Fmt.size(br.diskSize()),
          br.blocksWritten(), br.blocksHoles(), Fmt.seconds(br.elapsed()));
    }
    return ExitCode.OK;
  }

  private int files(Repository r, ImageRef ref, Path to, int workers) throws IOException {
    ProgressLine line = ProgressLine.forStderr(cli);
    FileRestore.Report fr;
    try {
      FileRestore restore = new FileRestore(workers, json ? MigrationListener.NONE : line).keepPartial(keepPartial)
          .include(include);
      if (partition != null) {
        restore = fileSystemOf(r, ref, restore);
      }
      fr = restore.restore(r, ref, to);
    } finally {
      line.clear();
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("image", fr.image().toString());
      m.put("target", fr.target().toString());
      m.put("entries", fr.entries());
      m.put("files", fr.files());
      m.put("bytes", fr.bytes());
      m.put("seconds", fr.elapsed().toMillis() / 1e3);
      m.put("warnings", fr.warnings().stream().map(Object::toString).toList());
      cli.out().println(Json.of(m));
    } else {
      cli.out().printf(Locale.ROOT, "restored %s into %s: %d entries, %d files, %s in %s%n", fr.image(),
          fr.target(), fr.entries(), fr.files(), Fmt.size(fr.bytes()), Fmt.seconds(fr.elapsed()));
    }
    fr.warnings().forEach(w -> cli.err().println("warning: " + w));
    return ExitCode.OK;
  }
}
