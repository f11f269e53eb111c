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

  /**
   * What makes this source's reads consistent (freeze a file system, quiesce a database): every cycle of it runs
   * {@link SnapshotHooks#before()} before it reads the opened snapshot and {@link SnapshotHooks#after()} when the
   * read ends, whether the cycle runs from the CLI, a task or the scheduler. None by default.
   */
  default SnapshotHooks hooks() {
    return SnapshotHooks.NONE;
  }

  /**
   * What this source knows of which blocks changed since an earlier cycle (for sources read block by block);
   * every block cycle of it asks. None by default: every cycle reads everything.
   */
  default ChangeHints changeHints() {
    return ChangeHints.NONE;
  }
}
