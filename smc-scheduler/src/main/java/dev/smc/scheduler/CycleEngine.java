package dev.smc.scheduler;

import dev.smc.CycleReport;
import dev.smc.MigrationListener;
import dev.smc.TaskSpec;
import dev.smc.scheduler.internal.LocalEngine;
import dev.smc.spi.ImageStore;
import java.io.IOException;

/**
 * Runs one cycle of a task: copies its source into the next image of its image name. The
 * scheduler calls it on a cycle thread and interrupts that thread to pause; an engine stops then
 * with an exception. Implementations are thread-safe.
 */
@FunctionalInterface
public interface CycleEngine {
  CycleReport run(TaskSpec spec, ImageStore store, MigrationListener listener) throws IOException;

  /**
   * The local engines: file level ({@code FileMigration}, with the spec's excludes) for a folder,
   * block level ({@code BlockMigration}) for a disk image file or block device.
   */
  static CycleEngine local() {
    return new LocalEngine();
  }
}
