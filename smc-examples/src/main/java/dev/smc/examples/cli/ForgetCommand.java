package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.NotFoundException;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smc forget}: removes images' manifests (their data is freed by gc). */
@Command(name = "forget", description = "Keep the newest N images of a name (pinned ones stay too) and remove"
    + " the others, or remove one image (also a damaged one). smc gc frees the space.")
final class ForgetCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--image-name", paramLabel = "NAME", description = "The name whose old images to remove.")
  @Nullable String imageName;

  @Option(names = "--keep", paramLabel = "N", description = "How many of the newest images to keep, 1 or more.")
  @Nullable String keep;

  @Option(names = "--image", paramLabel = "NAME-CYCLE_N", description = "Remove this one image instead.")
  @Nullable String image;

  @Option(names = "--json", description = "Print JSON: the images removed.")
  boolean json;

  ForgetCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    if (image != null) {
      if (imageName != null || keep != null) {
        throw usage("--image removes one image; it does not go with --image-name or --keep");
      }
      ImageRef one = ImageRef.parse("--image", image);
      try (Repository r = repo.existing(this)) {
        r.delete(one);
        return print(List.of(one));
      }
    }
    String name = required(imageName, "--image-name", "the image name whose old images to remove (or --image"
        + " NAME-CYCLE_N)");
    required(keep, "--keep", "how many of the newest images to keep, 1 or more");
    int n = (int) number(keep, "--keep", 1, 1, Integer.MAX_VALUE);
    try (Repository r = repo.existing(this)) {
      if (r.images().stream().noneMatch(i -> i.ref().name().equals(name))) {
        throw new NotFoundException("no image of name '" + name + "' in " + r.backend().location()
            + " (smc images lists them)");
      }
      return print(r.forget(name, n));
    }
  }

  private int print(List<ImageRef> removed) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("forgotten", removed.stream().map(ImageRef::toString).toList());
      cli.out().println(Json.of(m));
    } else {
      cli.out().println(removed.isEmpty() ? "nothing to forget"
          : "forgot " + removed + "; run 'smc gc' to free the space");
    }
    return ExitCode.OK;
  }
}
