package dev.smc.transfer.remote;

import dev.smc.spi.ImageStore;
import dev.smc.testkit.ImageStoreContract;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The image store contract for a repository over HTTPS to a real receiver on loopback, which checks
 * every pack and chunk against its name: a new repository each test; reopening connects again.
 */
class RepositoryOverReceiverTest extends ImageStoreContract {
  private static final String TOKEN = "store-contract-token-0123456789";
  private static final int REPOS = 100;
  private static Path dir;
  private static TestReceiver receiver;
  private static int n = -1;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("smc-store-contract");
    String[] pairs = new String[2 * REPOS];
    for (int i = 0; i < REPOS; i++) {
      pairs[2 * i] = "r" + i;
      pairs[2 * i + 1] = TOKEN + "-" + i;
    }
    receiver = new TestReceiver(dir, pairs);
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Override
  protected ImageStore newStore() throws IOException {
    n++;
    return reopen();
  }

  @Override
  protected ImageStore reopen() throws IOException {
    return Repository.open(receiver.open("r" + n, TOKEN + "-" + n));
  }
}
