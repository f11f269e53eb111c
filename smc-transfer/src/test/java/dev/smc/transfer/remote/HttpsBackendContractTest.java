package dev.smc.transfer.remote;

import dev.smc.spi.Backend;
import dev.smc.testkit.BackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract, over HTTPS to a real receiver on loopback: a new repository each test.
 * The contract stores arbitrary bytes under pack-like names, so the receiver runs without its check
 * of content against names here (ReceiverTest covers that check).
 */
class HttpsBackendContractTest extends BackendContract {
  private static final String TOKEN = "contract-token-0123456789abcdef";
  private static Path dir;
  private static TestReceiver receiver;
  private static int n;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("smc-https-contract");
    receiver = TestReceiver.forContract(dir, TOKEN, null);
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Override
  protected Backend newBackend() throws IOException {
    int i = n++;
    return receiver.open("r" + i, TOKEN + "-" + i);
  }
}
