package dev.smc.examples.cli;

import dev.smc.transfer.backend.Backends;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.annotation.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --home} (or {@code SMC_HOME}), the task store, and the repository of its tasks: the one
 * the home recorded when it was made, which is --repo (or {@code SMC_REPO}) or else HOME/repo. A picocli mixin of {@code task} and
 * {@code serve}.
 */
final class HomeOptions {
  /** The file in a home that names its repository. */
  static final String RECORD = "repository";

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

  /**
   * The repository's location: the one the home recorded ({@code HOME/repository}, written by
   * {@link #record} when a session first opens it), else --repo or SMC_REPO, else HOME/repo. A
   * --repo other than the recorded one is bad input: the home's tasks and images are in that one.
   */
  String repository(CliCommand c, Path home) throws IOException {
    String given = repo.location(c.cli);
    Path rec = home.resolve(RECORD);
    if (!Files.isRegularFile(rec)) {
      return given != null ? canonical(given) : home.resolve("repo").toString();
    }
    String recorded = Files.readString(rec, StandardCharsets.UTF_8).strip();
    if (given != null && !canonical(given).equals(recorded)) {
      throw c.usage((repo.repo != null ? "--repo '" : RepoOptions.REPO_ENV + " '") + given + "': the tasks of " + home
          + " keep their images in " + recorded + " (recorded in " + rec + "); give that repository or none");
    }
    return recorded;
  }

  /** Records {@code location} as the home's repository, unless it has one already. */
  static void record(Path home, String location) throws IOException {
    Path rec = home.resolve(RECORD);
    if (Files.exists(rec)) {
      return;
    }
    Path tmp = home.resolve(RECORD + ".tmp");
    Files.writeString(tmp, location + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, rec, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A folder as an absolute path (so that a later command in another folder finds it), a URI as it is. */
  private static String canonical(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location)).toAbsolutePath().normalize().toString();
    }
    return Backends.isUri(location) ? location : Path.of(location).toAbsolutePath().normalize().toString();
  }
}
