package dev.smc.spi;

import java.io.IOException;

/**
 * A server to migrate: describes itself, and opens a consistent read for one cycle.
 * Implementations must be thread-safe.
 */
public interface MigrationSource {
  /** A stable identity; one unfinished task per source. */
  String id();

  /** OS type, disks, partitions, used sizes. */
  SourceDescription describe() throws IOException;

  /**
   * Opens a consistent view of the source for one cycle (a snapshot, frozen file system, or the
   * live tree); closing it releases whatever was held.
   */
  SourceSnapshot open() throws IOException;
}
