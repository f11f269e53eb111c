package dev.smc.transfer.files;

import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;

/**
 * An entry of the walk waiting to be written in walk order; for a file being read, also how many
 * segments are still being read. Guarded by its own monitor while read, by the {@link EntryQueue}'s
 * once done.
 */
final class QueuedEntry {
  final Entry entry;
  final byte[] abs;
  volatile boolean done;
  boolean changed;
  long treeOrdinal = -1;
  /** The bytes this file adds to the cycle's pending bytes while it is read. */
  long pending;
  @Nullable QueuedEntry linkFirst;
  int attempts;
  final AtomicInteger remaining = new AtomicInteger();
  @Nullable String warning;

  QueuedEntry(Entry entry, byte[] abs, boolean done) {
    this.entry = entry;
    this.abs = abs;
    this.done = done;
  }
}
