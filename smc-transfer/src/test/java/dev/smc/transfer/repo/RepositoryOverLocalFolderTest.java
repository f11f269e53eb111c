package dev.smc.transfer.repo;

import dev.smc.spi.ImageStore;
import dev.smc.testkit.ImageStoreContract;
import dev.smc.transfer.backend.LocalFolderBackend;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The image store contract for a repository in a local folder; reopening opens the folder again. */
class RepositoryOverLocalFolderTest extends ImageStoreContract {
  @TempDir
  Path tmp;

  @Override
  protected ImageStore newStore() throws IOException {
    return Repository.open(LocalFolderBackend.open(tmp.resolve("repo")));
  }

  @Override
  protected ImageStore reopen() throws IOException {
    return Repository.open(LocalFolderBackend.open(tmp.resolve("repo")));
  }
}
