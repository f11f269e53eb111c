package dev.smc;

import java.time.Duration;
import java.util.List;

/**
 * What one cycle did. Immutable.
 *
 * @param filesScanned entries of the source walked (files, folders, links, special files)
 * @param bytesScanned bytes of regular-file (or disk) data the image holds
 * @param bytesRead bytes actually read from the source (files reused from the parent are not read)
 * @param bytesStored bytes newly written to the repository, after dedup and compression
 * @param chunksNew chunks the repository did not have
 * @param chunksReused chunks already stored, by this or any earlier cycle or image
 * @param filesReused files taken from the parent image without being opened
 * @param details engine-specific counters, e.g. a block cycle's {@code blocksScanned},
 *     {@code blocksFree}, {@code blocksZero}, {@code blocksUnchanged}, {@code blocksStored}
 */
public record CycleReport(
    ImageRef image,
    CycleType type,
    long filesScanned,
    long bytesScanned,
    long bytesRead,
    long bytesStored,
    long chunksNew,
    long chunksReused,
    long filesReused,
    Duration elapsed,
    List<CycleWarning> warnings,
    java.util.Map<String, Long> details) {

  public CycleReport {
    warnings = List.copyOf(warnings);
    details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
  }

  /** A report without engine-specific counters. */
  public CycleReport(ImageRef image, CycleType type, long filesScanned, long bytesScanned, long bytesRead,
      long bytesStored, long chunksNew, long chunksReused, long filesReused, Duration elapsed,
      List<CycleWarning> warnings) {
    this(image, type, filesScanned, bytesScanned, bytesRead, bytesStored, chunksNew, chunksReused, filesReused,
        elapsed, warnings, java.util.Map.of());
  }

  /** Whether some path in the image is not as the source had it (a warning that is {@link CycleWarning#incomplete()}). */
  public boolean incomplete() {
    return warnings.stream().anyMatch(CycleWarning::incomplete);
  }
}
