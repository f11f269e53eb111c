package dev.smc.transfer.blocks;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceSnapshot;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.source.DiskDescriber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A raw disk on this machine (an image file or a block device) as a migration source: described
 * from its partition table and file systems, so a task can check its target disks
 * ({@code TargetDisks.validateAgainst}). Immutable and thread-safe.
 */
public final class DiskSource implements MigrationSource {
  private final Path disk;

  public DiskSource(Path disk) {
    this.disk = disk.toAbsolutePath().normalize();
  }

  @Override
  public String id() {
    return "disk:" + disk;
  }

  /** One disk with its partitions and file systems (see {@link DiskDescriber}); nothing is mounted. */
  @Override
  public SourceDescription describe() throws IOException {
    try (DiskReader r = DiskReader.open(disk)) {
      SourceDescription.Disk d = DiskDescriber.describe(0, disk.toString(), r);
      return new SourceDescription(DiskDescriber.guessOs(List.of(d)), disk.getFileName().toString(), List.of(d));
    }
  }

  @Override
  public SourceSnapshot open() {
    byte[] path = disk.toString().getBytes(StandardCharsets.UTF_8);
    return () -> path.clone();
  }
}
