package dev.smc.transfer.blocks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A set of block numbers as sorted, merged ranges {@code [start, end)}. Immutable once built. */
final class BlockRanges {
  static final BlockRanges EMPTY = new BlockRanges(new long[0], new long[0]);

  private final long[] starts;
  private final long[] ends;

  private BlockRanges(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /** Collects ranges in any order; {@link #build()} sorts and merges them. Not thread-safe. */
  static final class Builder {
    private final List<long[]> ranges = new ArrayList<>();

    Builder add(long start, long end) {
      if (end > start) {
        ranges.add(new long[] {start, end});
      }
      return this;
    }

    BlockRanges build() {
      ranges.sort((a, b) -> Long.compare(a[0], b[0]));
      List<long[]> merged = new ArrayList<>();
      for (long[] r : ranges) {
        long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (last != null && r[0] <= last[1]) {
          last[1] = Math.max(last[1], r[1]);
        } else {
          merged.add(r.clone());
        }
      }
      long[] s = new long[merged.size()];
      long[] e = new long[merged.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = merged.get(i)[0];
        e[i] = merged.get(i)[1];
      }
      return new BlockRanges(s, e);
    }
  }

  boolean contains(long block) {
    int i = Arrays.binarySearch(starts, block);
    if (i >= 0) {
      return true;
    }
    i = -i - 2; // the range starting before block
    return i >= 0 && block < ends[i];
  }

  /** Whether every block of {@code [start, end)} is in the set. */
  boolean containsAll(long start, long end) {
    int i = Arrays.binarySearch(starts, start);
    i = i >= 0 ? i : -i - 2;
    return i >= 0 && starts[i] <= start && end <= ends[i];
  }

  /** Whether some block of {@code [start, end)} is in the set. */
  boolean intersects(long start, long end) {
    int i = Arrays.binarySearch(starts, start);
    i = i >= 0 ? i : -i - 2;
    if (i >= 0 && ends[i] > start) {
      return true;
    }
    return i + 1 < starts.length && starts[i + 1] < end;
  }

  boolean isEmpty() {
    return starts.length == 0;
  }

  long count() {
    return count(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** How many blocks of {@code [start, end)} are in the set. */
  long count(long start, long end) {
    int i = Arrays.binarySearch(starts, start);
    i = i >= 0 ? i : Math.max(0, -i - 2);
    long n = 0;
    for (; i < starts.length && starts[i] < end; i++) {
      n += Math.max(0, Math.min(end, ends[i]) - Math.max(start, starts[i]));
    }
    return n;
  }
}
