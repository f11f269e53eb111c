package dev.smc.transfer.repo;

import dev.smc.spi.ImageStore;
import dev.smc.testkit.ImageStoreContract;
import dev.smc.transfer.backend.InMemoryBackend;
import java.io.IOException;

/** The image store contract for a repository in memory; reopening opens a second repository on the same backend. */
class RepositoryInMemoryTest extends ImageStoreContract {
  private InMemoryBackend backend;

  @Override
  protected ImageStore newStore() throws IOException {
    backend = new InMemoryBackend();
    return Repository.open(backend);
  }

  @Override
  protected ImageStore reopen() throws IOException {
    return Repository.open(backend);
  }
}
