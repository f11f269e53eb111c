package dev.smc.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.annotation.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --home} (or {@code SMC_HOME}), the task store, and the repository of its tasks: HOME/repo
 * unless {@code --repo} (or {@code SMC_REPO}) says otherwise. A picocli mixin of {@code task} and
 * {@code serve}.
 */
final class HomeOptions {
  @Option(names = "--home", paramLabel = "HOME", description = "The task store's folder. Default: $SMC_HOME.")
  @Nullable String home;

  @Mixin RepoOptions repo;

  /**
   * The home folder. Only commands that create tasks ({@code create}: {@code task create} and
   * {@code task import}) make a missing one; for every other command a missing home is bad input.
   */
  Path home(CliCommand c, boolean create) {
    String h = home != null ? home : c.cli.env("SMC_HOME");
    if (h == null) {
      throw c.usage("--home is required (or set SMC_HOME): the folder of the task store");
    }
    Path p = Path.of(h);
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw c.usage("--home '" + h + "': must be a folder" + (create ? " (it is created when missing)" : ""));
    }
    if (!create && !Files.isDirectory(p)) {
      throw c.usage("--home '" + h + "': no such folder; task create or task import makes a task store there");
    }
    return p;
  }

  /** The repository's location: --repo or SMC_REPO, else HOME/repo. */
  String repository(CliCommand c, Path home) {
    String r = repo.location(c.cli);
    return r != null ? r : home.resolve("repo").toString();
  }
}
