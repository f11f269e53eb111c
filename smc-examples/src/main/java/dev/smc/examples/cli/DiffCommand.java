package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.transfer.files.ImageChange;
import dev.smc.transfer.files.ImageContents;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code smc diff A B}: what changed from file image A to file image B, from their trees alone. */
@Command(name = "diff", description = {"Show what changed between two file images, a line each: + added,"
    + " - removed, M changed (with what: type, content, mode, owner, mtime, target, xattrs, device).",
    "Compares the images' trees; reads no file data."})
final class DiffCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE_A", description = "The older image.")
  @Nullable String a;

  @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE_B", description = "The newer image (NAME: the"
      + " newest).")
  @Nullable String b;

  @Option(names = "--json", description = "Print one JSON object a line (JSON Lines), a change each.")
  boolean json;

  DiffCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    String first = required(a, "IMAGE_A", "two images, e.g. smc diff web-CYCLE_2 web-CYCLE_3");
    String second = required(b, "IMAGE_B", "two images, e.g. smc diff web-CYCLE_2 web-CYCLE_3");
    try (Repository r = repo.existing(this)) {
      ImageRef ra = RepoOptions.image(this, r, "IMAGE_A", first);
      ImageRef rb = RepoOptions.image(this, r, "IMAGE_B", second);
      LsCommand.refuseDisk(this, r, ra);
      LsCommand.refuseDisk(this, r, rb);
      PrintStream out = cli.out();
      long n = ImageContents.diff(r, ra, rb, c -> out.println(json ? Json.line(change(c)) : line(c)));
      if (!json && n == 0) {
        out.println("no differences between " + ra + " and " + rb);
      }
      return ExitCode.OK;
    }
  }

  private static String line(ImageChange c) {
    return c.kind().sign() + " " + c.path() + (c.what().isEmpty() ? "" : " (" + String.join(", ", c.what()) + ")");
  }

  private static Map<String, Object> change(ImageChange c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("change", c.kind().name());
    m.put("path", c.path());
    m.put("what", c.what());
    m.put("before", c.before() == null ? null : LsCommand.entry(c.before()));
    m.put("after", c.after() == null ? null : LsCommand.entry(c.after()));
    return m;
  }
}
