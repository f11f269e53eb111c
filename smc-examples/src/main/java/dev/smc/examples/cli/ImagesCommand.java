package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smc images}: the repository's images, oldest name first, cycles in order. Read only. */
@Command(name = "images", description = "List the repository's images: kind, creation time (UTC), files, size.")
final class ImagesCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  ImagesCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    try (Repository r = repo.existing(this)) {
      List<ImageInfo> all = r.images();
      for (String problem : r.imageProblems()) {
        cli.err().println("warning: " + problem);
      }
      if (json) {
        List<Object> l = new ArrayList<>();
        for (ImageInfo i : all) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("image", i.ref().toString());
          m.put("name", i.ref().name());
          m.put("cycle", i.ref().cycle());
          m.put("kind", i.kind().name());
          m.put("created", i.created().toString());
          m.put("parent", i.parent().map(ImageRef::toString).orElse(null));
          m.put("files", i.kind() == ImageKind.BLOCKS ? null : i.longProperty("files"));
          m.put("bytes", i.longProperty("bytes"));
          m.put("pinned", i.pinned());
          l.add(m);
        }
        cli.out().println(Json.of(l));
        return ExitCode.OK;
      }
      int w = Math.max(20, all.stream().mapToInt(i -> i.ref().toString().length()).max().orElse(0));
      String row = "%-" + w + "s %-6s %-20s %10s %10s%s%n";
      cli.out().printf(Locale.ROOT, row, "IMAGE", "KIND", "CREATED (UTC)", "FILES", "SIZE", "");
      for (ImageInfo i : all) {
        cli.out().printf(Locale.ROOT, row, i.ref(), i.kind(), Fmt.time(i.created()),
            i.kind() == ImageKind.BLOCKS ? "-" : String.valueOf(i.longProperty("files")),
            Fmt.size(i.longProperty("bytes")), i.pinned() ? " pinned" : "");
      }
      return ExitCode.OK;
    }
  }
}
