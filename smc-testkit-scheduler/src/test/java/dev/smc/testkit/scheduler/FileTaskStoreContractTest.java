package dev.smc.testkit.scheduler;

import dev.smc.scheduler.FileTaskStore;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileTaskStore} keeps the {@link TaskStore} contract; its second store opens the same folder. */
class FileTaskStoreContractTest extends TaskStoreContract {
  @TempDir
  Path home;

  @Override
  protected TaskStore newStore() throws IOException {
    return new FileTaskStore(home);
  }

  @Override
  protected TaskStore openAgain() throws IOException {
    return new FileTaskStore(home);
  }
}
