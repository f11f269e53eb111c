package dev.smc.transfer.paths;

import dev.smc.spi.ImageStore;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Path;
import java.util.Optional;

/** The folder on this machine a store keeps its data in, if it has one. Stateless. */
public final class StoreFolder {
  private StoreFolder() {}

  /** The root folder of a repository over a {@link LocalFolderBackend}; empty for any other store. */
  public static Optional<Path> of(ImageStore store) {
    if (store instanceof Repository r && r.backend() instanceof LocalFolderBackend b) {
      return Optional.of(b.root());
    }
    return Optional.empty();
  }
}
