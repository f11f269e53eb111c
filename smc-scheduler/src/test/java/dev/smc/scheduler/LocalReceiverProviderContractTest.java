package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.spi.InstanceProvider;
import dev.smc.testkit.InstanceProviderContract;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalReceiverProvider} keeps the {@link InstanceProvider} contract, with a real receiver
 * process serving the transits; releasing the last one of each test stops it, so none is left.
 */
class LocalReceiverProviderContractTest extends InstanceProviderContract {
  @TempDir
  Path tmp;

  @Override
  protected InstanceProvider newProvider() throws IOException {
    return new LocalReceiverProvider(tmp.resolve("transit"), tmp.resolve("repo"));
  }

  @AfterAll
  static void noReceiverProcessLeft() {
    List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().orElse("pid " + h.pid()))
        .filter(c -> c.contains("ReceiverMain")).toList();
    assertEquals(List.of(), left, "receiver processes still running");
  }
}
