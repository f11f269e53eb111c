package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.NotFoundException;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.transfer.blocks.BlockRestore;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.paths.RestoreTarget;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code smc restore}: an image into a folder (a file tree) or onto a disk (a new file or a block
 * device). The target is resolved first (every symlink of its folder's path) and the restore writes
 * and reports there; a target that is a symlink, or lies in the repository, is bad input (exit 2).
 * A restore that fails removes what it wrote unless {@code --keep-partial} (exit 1). Not
 * thread-safe; one instance per command.
 */
final class RestoreCommand {
  private final PrintStream out;
  private final PrintStream err;

  RestoreCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(List<String> argv) throws IOException {
    Args a = new Args("restore", argv, Set.of("repo", "image", "target", "threads"), Set.of("json", "keep-partial"));
    a.noPositional();
    ImageRef ref = ImageRef.parse("--image", a.required("image", "an image like NAME-CYCLE_3"));
    String given = a.required("target", "an empty or missing folder, a new file or a block device");
    int threads = (int) a.longValue("threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 256);
    boolean keep = a.flag("keep-partial");
    try (Repository repo = Main.existingRepo(a)) {
      Path target;
      try {
        target = RestoreTarget.resolve(repo, Path.of(given));
      } catch (InvalidSpecException e) {
        throw new UsageException("restore: --target '" + given + "': allowed " + e.errors().get(0).allowed());
      }
      ImageInfo info = repo.image(ref).orElseThrow(() -> new NotFoundException("image " + ref
          + " does not exist in " + repo.backend().location()));
      if (info.kind() == ImageKind.BLOCKS) {
        BlockRestore.Report br = new BlockRestore().keepPartial(keep).restore(repo, ref, target);
        if (a.flag("json")) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("image", br.image().toString());
          m.put("target", br.target().toString());
          m.put("bytes", br.diskSize());
          m.put("blocksWritten", br.blocksWritten());
          m.put("blocksHoles", br.blocksHoles());
          m.put("seconds", br.elapsed().toMillis() / 1e3);
          out.println(Json.of(m));
        } else {
          out.printf(Locale.ROOT, "restored %s into %s: %s disk, %d blocks written, %d left as holes in %.2f s%n",
              br.image(), br.target(), Main.size(br.diskSize()), br.blocksWritten(), br.blocksHoles(),
              br.elapsed().toNanos() / 1e9);
        }
        return ExitCode.OK;
      }
      Main.TerminalProgress progress = new Main.TerminalProgress(err);
      FileRestore.Report r;
      try {
        r = new FileRestore(threads, a.flag("json") ? MigrationListener.NONE : progress).keepPartial(keep)
            .restore(repo, ref, target);
      } finally {
        progress.clear();
      }
      if (a.flag("json")) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", r.image().toString());
        m.put("target", r.target().toString());
        m.put("entries", r.entries());
        m.put("files", r.files());
        m.put("bytes", r.bytes());
        m.put("seconds", r.elapsed().toMillis() / 1e3);
        m.put("warnings", r.warnings().stream().map(Object::toString).toList());
        out.println(Json.of(m));
      } else {
        out.printf(Locale.ROOT, "restored %s into %s: %d entries, %d files, %s in %.2f s%n", r.image(), r.target(),
            r.entries(), r.files(), Main.size(r.bytes()), r.elapsed().toNanos() / 1e9);
        r.warnings().forEach(w -> out.println("warning: " + w));
      }
      return ExitCode.OK;
    }
  }
}
