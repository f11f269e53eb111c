package dev.smc.scheduler;

import dev.smc.spi.InstanceProvider;
import dev.smc.testkit.InstanceProviderContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalInstanceProvider} keeps the {@link InstanceProvider} contract. */
class LocalInstanceProviderContractTest extends InstanceProviderContract {
  @TempDir
  Path tmp;

  @Override
  protected InstanceProvider newProvider() throws IOException {
    return new LocalInstanceProvider(tmp.resolve("transit"));
  }
}
