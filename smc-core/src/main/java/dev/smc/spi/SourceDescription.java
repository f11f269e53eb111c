package dev.smc.spi;

import java.util.List;
import java.util.Optional;

/** What a source is: its OS, host name and disks. Immutable. */
public record SourceDescription(OsType osType, String hostname, List<Disk> disks) {
  public SourceDescription {
    disks = List.copyOf(disks);
  }

  public enum OsType {
    LINUX, WINDOWS, OTHER
  }

  /** A disk (or, for a file-level source, the file system of its tree). */
  public record Disk(String name, long sizeBytes, long usedBytes, List<Partition> partitions) {
    public Disk {
      partitions = List.copyOf(partitions);
    }
  }

  /** A partition: number (1-based), start and size in bytes, type, file system, label, used bytes if known. */
  public record Partition(int number, long startBytes, long sizeBytes, String type, Optional<String> fileSystem,
      Optional<String> label, Optional<Long> usedBytes) {}
}
