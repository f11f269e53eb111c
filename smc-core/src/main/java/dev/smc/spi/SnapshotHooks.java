package dev.smc.spi;

import java.io.IOException;

/**
 * Actions around the read of one cycle, to make what is read consistent: freeze a file system,
 * take an LVM snapshot, stop a service. {@link #before()} runs before the first byte is read; if it
 * fails, the cycle fails and {@link #after()} still runs. {@link #after()} always runs once the read
 * ends, whether it succeeded or not; its failure is reported as the cycle's failure, and after a
 * cycle that committed its image as a {@link dev.smc.PostSnapshotException} naming that image.
 * Thread-safe.
 */
public interface SnapshotHooks {
  SnapshotHooks NONE = new SnapshotHooks() {};

  default void before() throws IOException {}

  default void after() throws IOException {}
}
