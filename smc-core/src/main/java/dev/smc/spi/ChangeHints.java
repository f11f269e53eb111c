package dev.smc.spi;

import dev.smc.ImageRef;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What a source knows about which parts of a disk changed since an earlier cycle: a
 * hypervisor's changed-block tracking, a kernel dirty bitmap, a storage array's snapshot diff.
 * With a hint, the block engine reads only the ranges it names and takes every other block from
 * the parent image; without one (empty), it reads the whole disk. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ChangeHints {
  /** No hint: every cycle reads everything. */
  ChangeHints NONE = parent -> Optional.empty();

  /**
   * The byte ranges that may have changed since the cycle that made {@code parent}, or empty when
   * that is not known (then everything is read). A range too many is harmless; a range missing
   * makes the image wrong, so a source must not guess.
   */
  Optional<List<Range>> changedSince(ImageRef parent) throws IOException;

  /** Bytes {@code [start, end)} of the disk. */
  record Range(long start, long end) {
    public Range {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("range [" + start + ", " + end + ") is not a byte range");
      }
    }
  }
}
