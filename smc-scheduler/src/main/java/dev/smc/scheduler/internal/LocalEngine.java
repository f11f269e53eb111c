package dev.smc.scheduler.internal;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.SmcException;
import dev.smc.TaskSpec;
import dev.smc.scheduler.CycleEngine;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Picks the engine as {@code smc migrate} does without {@code --mode}: a folder is copied file by
 * file, anything else (disk image file, block device) block by block. Thread-safe.
 */
public final class LocalEngine implements CycleEngine {
  @Override
  public CycleReport run(TaskSpec spec, ImageStore store, MigrationListener listener) throws IOException {
    Path src = Path.of(spec.source());
    if (Files.isDirectory(src)) {
      return FileMigration.builder().listener(listener).build()
          .run(store, src, spec.imageName(), Excludes.of(spec.excludes()), spec.transfer());
    }
    if (!Files.exists(src)) {
      throw new SmcException(ErrorCode.SOURCE_IO, "source " + src + " does not exist (offline?)");
    }
    if (!spec.excludes().isEmpty()) {
      throw InvalidSpecException.of("excludes", spec.excludes(), "only for a folder source; a disk is copied block by block");
    }
    return BlockMigration.builder().listener(listener).build().run(store, src, spec.imageName(), spec.transfer());
  }

  /** Whether a source is online: a folder, a disk image file or a block device that exists. */
  public static boolean online(String source) {
    return Files.exists(Path.of(source));
  }
}
