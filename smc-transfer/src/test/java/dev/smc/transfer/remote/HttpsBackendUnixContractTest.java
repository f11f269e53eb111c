package dev.smc.transfer.remote;

import dev.smc.spi.Backend;
import dev.smc.testkit.BackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract over a receiver's Unix socket (plain HTTP on this machine), a new repository
 * each test; as {@link HttpsBackendContractTest}, without the receiver's check of content against names.
 */
class HttpsBackendUnixContractTest extends BackendContract {
  private static final String TOKEN = "unix-contract-token-0123456789abcdef";
  private static Path dir;
  private static TestReceiver receiver;
  private static int n;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("smc-unix-contract");
    receiver = TestReceiver.forContract(dir, TOKEN, dir.resolve("receiver.sock"));
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Override
  protected Backend newBackend() throws IOException {
    int i = n++;
    return receiver.openUnix("r" + i, TOKEN + "-" + i);
  }
}
