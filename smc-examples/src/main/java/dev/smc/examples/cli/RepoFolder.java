package dev.smc.examples.cli;

import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.paths.FolderId;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The folder a {@code --repo} names on this machine (a path or a {@code file:} URI), to check a
 * source against it before the repository is opened: opening creates a repository, and one created
 * in the source would be stored into itself. Checks go by device and inode on resolved paths, so no
 * symlink or bind mount dodges them. Stateless.
 */
final class RepoFolder {
  private RepoFolder() {}

  /** The local folder of {@code location}, or empty for a receiver or another backend. */
  static Optional<Path> of(String location) {
    if (RemoteRepo.isRemote(location)) {
      return Optional.empty();
    }
    if (!Backends.isUri(location)) {
      return Optional.of(Path.of(location).toAbsolutePath());
    }
    try {
      URI uri = new URI(location);
      return "file".equalsIgnoreCase(uri.getScheme()) ? Optional.of(Path.of(uri)) : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty(); // Backends.open says what is wrong with it
    }
  }

  /**
   * Refuses (exit 2) a {@code source} folder that is the repository of {@code location} or lies
   * inside it. A repository inside the source is fine: the file engine leaves it out.
   */
  static void refuseSourceIn(String command, String repoOption, String location, Path source) throws IOException {
    Optional<Path> folder = of(location);
    if (folder.isEmpty()) {
      return;
    }
    Optional<FolderId> repo = FolderId.of(folder.get());
    Optional<FolderId> src = FolderId.of(source);
    if (repo.isEmpty() || src.isEmpty()) {
      return; // a repository not made yet cannot be the source, nor hold it
    }
    if (repo.get().equals(src.get())) {
      throw new UsageException(command + ": --source '" + source + "' and " + repoOption + " '" + location
          + "' are the same folder: a repository is never stored into itself; give a repository outside the source"
          + " (one inside it is left out of every cycle)");
    }
    if (repo.get().holds(source.toRealPath())) {
      throw new UsageException(command + ": --source '" + source + "' is inside the repository " + repoOption + " '"
          + location + "': a repository is never stored into itself; give a source outside the repository");
    }
  }
}
