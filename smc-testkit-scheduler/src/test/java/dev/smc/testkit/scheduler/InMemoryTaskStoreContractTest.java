package dev.smc.testkit.scheduler;

import dev.smc.scheduler.InMemoryTaskStore;
import dev.smc.scheduler.spi.TaskStore;

/** {@link InMemoryTaskStore} keeps the {@link TaskStore} contract; its sharers share the instance. */
class InMemoryTaskStoreContractTest extends TaskStoreContract {
  @Override
  protected TaskStore newStore() {
    return new InMemoryTaskStore();
  }

  @Override
  protected TaskStore openAgain() {
    return store();
  }
}
