package dev.smc.examples.cli;

import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * {@code --repo} and the options of a receiver's repository, each with its environment variable
 * (given options win): {@code SMC_REPO}, {@code SMC_TOKEN_FILE}, {@code SMC_PIN}, {@code SMC_PROXY}.
 * A picocli mixin of every command that opens a repository.
 */
final class RepoOptions {
  static final String REPO_ENV = "SMC_REPO";

  @Option(names = "--repo", paramLabel = "REPO", description = "The repository: a folder, a URI (file:/srv/repo,"
      + " mem:NAME), a receiver's https://HOST:PORT/REPO, or its Unix socket on this machine,"
      + " http+unix://SOCKET/REPO (each / of the socket's path as %%2F). Default: $SMC_REPO.")
  @Nullable String repo;

  @Option(names = "--token-file", paramLabel = "FILE", description = "For a receiver's repository: the task's"
      + " token, the file's first line. Default: $SMC_TOKEN_FILE.")
  @Nullable String tokenFile;

  @Option(names = "--pin", paramLabel = "sha256:HEX", description = "For an https:// repository: trust exactly"
      + " the receiver's certificate (its CERTS/fingerprint); without it the receiver needs a certificate a CA"
      + " signed for HOST. Default: $SMC_PIN.")
  @Nullable String pin;

  @Option(names = "--proxy", paramLabel = "HOST:PORT", description = "For an https:// repository: reach the"
      + " receiver through an HTTP proxy that tunnels (CONNECT). Default: $SMC_PROXY.")
  @Nullable String proxy;

  /** The repository given, by option or environment, or null. */
  @Nullable
  String location(Cli cli) {
    return repo != null ? repo : cli.env(REPO_ENV);
  }

  /** The repository, which must be given. */
  String required(CliCommand c, String allowed) {
    String r = location(c.cli);
    if (r == null) {
      throw c.usage("--repo is required (or set " + REPO_ENV + "): " + allowed);
    }
    return r;
  }

  /** Opens (creating when missing) the repository at {@code location}. */
  Repository open(CliCommand c, String location, TransferOptions options) throws IOException {
    Optional<Backend> remote = RemoteRepo.open(c, location, this);
    Repository.Options o = Repository.options().transfer(options).cacheDir(c.cli.cacheDir());
    if (remote.isPresent()) {
      return Repository.open(remote.get(), o);
    }
    boolean uri = Backends.isUri(location);
    Path p = Path.of(uri ? "." : location);
    if (!uri && Files.exists(p) && !Files.isDirectory(p)) {
      throw c.usage("--repo '" + location + "': must be a folder (it is created when missing)");
    }
    return Repository.open(Backends.open(location), o);
  }

  /**
   * The image {@code text} names in {@code r} (NAME-CYCLE_N, NAME or NAME-latest for the newest);
   * one it does not name is bad input naming {@code option}.
   */
  static dev.smc.ImageRef image(CliCommand c, Repository r, String option, String text) throws IOException {
    try {
      return r.resolve(text);
    } catch (dev.smc.NotFoundException | dev.smc.InvalidSpecException e) {
      String why = e instanceof dev.smc.InvalidSpecException ise && !ise.errors().isEmpty()
          ? "allowed " + ise.errors().get(0).allowed() : e.getMessage() + "; allowed NAME-CYCLE_N, or NAME (or"
              + " NAME-latest) for the newest image of NAME";
      throw c.usage(option + " '" + text + "': " + why);
    }
  }

  /** The repository given, which must exist (a local one has its 'config'). */
  Repository existing(CliCommand c) throws IOException {
    String dir = required(c, "the repository (a folder, a URI or https://HOST:PORT/REPO)");
    RemoteRepo.refuseRemoteOptions(c, dir, this);
    boolean uri = Backends.isUri(dir) || RemoteRepo.isRemote(dir);
    if (!uri && !Files.exists(Path.of(dir, "config"))) {
      throw c.usage("--repo '" + dir + "': no smc repository there (no 'config'); migrate creates one");
    }
    return open(c, dir, TransferOptions.DEFAULTS);
  }
}
