package dev.smc.scheduler.internal;

import dev.smc.NetworkMode;
import dev.smc.spi.InstanceProvider.Access;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.repo.Repository;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a cycle writes. A transit instance that asks no credentials (a folder on this machine)
 * means the scheduler's repository itself; one with {@link Access} serves that repository over
 * HTTPS, so the cycle writes through it: the task's token, the instance's certificate pinned, the
 * endpoint of the task's network. What goes through it lands in the scheduler's repository, where
 * the cycle's image is then checked and retention applied. {@link #close()} closes only what was
 * opened here. Not thread-safe; one per cycle.
 */
final class CycleTarget implements Closeable {
  private final Repository repository;
  private final boolean opened;

  private CycleTarget(Repository repository, boolean opened) {
    this.repository = repository;
    this.opened = opened;
  }

  /** Connects to the transit when it has credentials (fails when it serves another repository). */
  static CycleTarget open(Repository main, TransitInstance transit, NetworkMode network) throws IOException {
    if (transit.access().isEmpty()) {
      return new CycleTarget(main, false);
    }
    Access a = transit.access().get();
    HttpsBackend backend = HttpsBackend.open(transit.endpoint(network), HttpsBackend.Options.of(a.token(),
        Optional.of(a.pin())));
    return new CycleTarget(main.openThrough(backend), true);
  }

  /** The repository the engine writes to. */
  Repository repository() {
    return repository;
  }

  /** Whether the cycle goes through a transit's receiver rather than straight into the repository. */
  boolean remote() {
    return opened;
  }

  @Override
  public void close() throws IOException {
    if (opened) {
      repository.close();
    }
  }
}
