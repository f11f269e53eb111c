package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.transfer.files.ImageContents;
import dev.smc.transfer.files.ImageEntry;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code smc ls IMAGE [PATH]}: the entries of a file image, from its tree alone (no data is read). */
@Command(name = "ls", description = "List what a file image holds at or below PATH (everything without one),"
    + " like ls -l: type and mode, owner, size, modification time (UTC), path, link target.")
final class LsCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "NAME-CYCLE_N, or NAME for the"
      + " newest.")
  @Nullable String image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "A file or folder of the image, e.g."
      + " etc/nginx.")
  @Nullable String path;

  @Option(names = "--json", description = "Print one JSON object a line (JSON Lines), an entry each.")
  boolean json;

  LsCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String text = required(image, "IMAGE", "the image to list, e.g. smc ls web-CYCLE_3 etc (or NAME for the newest)");
    try (Repository r = repo.existing(this)) {
      ImageRef ref = RepoOptions.image(this, r, "IMAGE", text);
      refuseDisk(this, r, ref);
      PrintStream out = cli.out();
      ImageContents.list(r, ref, path == null ? "" : path, e -> out.println(json ? Json.line(entry(e)) : line(e)));
      return ExitCode.OK;
    }
  }

  /** A disk image has no files to list (smc describe shows a disk's layout). */
  static void refuseDisk(CliCommand c, Repository r, ImageRef ref) throws IOException {
    if (r.image(ref).map(ImageInfo::kind).orElse(ImageKind.FILES) == ImageKind.BLOCKS) {
      throw c.usage("image " + ref + " is a disk image (block by block); allowed a file image");
    }
  }

  static String line(ImageEntry e) {
    String target = e.target() == null ? "" : (e.type() == ImageEntry.Type.SYMLINK ? " -> " : " link to ") + e.target();
    return String.format(Locale.ROOT, "%s %5d %5d %12d %s %s%s", e.modeString(), e.uid(), e.gid(), e.size(),
        Fmt.time(e.mtime()), e.path(), target);
  }

  static Map<String, Object> entry(ImageEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", e.path());
    m.put("type", e.type().name());
    m.put("size", e.size());
    m.put("mode", String.format(Locale.ROOT, "%04o", e.mode()));
    m.put("uid", e.uid());
    m.put("gid", e.gid());
    m.put("mtime", e.mtime().toString());
    m.put("target", e.target());
    return m;
  }
}
