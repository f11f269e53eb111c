package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts an image's metadata stream into content-defined chunks (a gear rolling hash: 16 KiB
 * minimum, ~64 KiB average, 256 KiB maximum), so an entry that changes between cycles changes one
 * chunk and the rest of the tree deduplicates. Not thread-safe.
 */
final class TreeChunker {
  static final int MIN = 16 * 1024;
  static final int MAX = 256 * 1024;
  private static final long MASK = (1L << 16) - 1;
  private static final long[] GEAR = new long[256];

  static {
    SplittableRandom r = new SplittableRandom(0x5eed_7ee0_c0deL);
    for (int i = 0; i < 256; i++) {
      GEAR[i] = r.nextLong();
    }
  }

  /** Receives each finished chunk: {@code b[0, len)}. */
  interface Sink {
    void chunk(byte[] b, int len) throws IOException;
  }

  private final Sink sink;
  private final byte[] buf = new byte[MAX];
  private final List<ChunkId> ids = new ArrayList<>();
  private int len;
  private long hash;
  private long total;

  TreeChunker(Sink sink) {
    this.sink = sink;
  }

  void write(byte[] b, int off, int n) throws IOException {
    total += n;
    for (int i = off, end = off + n; i < end; i++) {
      byte x = b[i];
      buf[len++] = x;
      hash = (hash << 1) + GEAR[x & 0xff];
      if ((len >= MIN && (hash & MASK) == 0) || len == MAX) {
        flush();
      }
    }
  }

  private void flush() throws IOException {
    if (len > 0) {
      sink.chunk(buf, len);
    }
    len = 0;
    hash = 0;
  }

  void finish() throws IOException {
    flush();
  }

  List<ChunkId> ids() {
    return ids;
  }

  long length() {
    return total;
  }
}
