package dev.smc.transfer.remote;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** A valid index file of about a given size, with random ids: an upload a receiver verifies and accepts. */
final class IndexBlob {
  private IndexBlob() {}

  static byte[] of(int approxBytes, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int entry = 46;
    int n = Math.max(1, (approxBytes - 8 - 4 - 36) / entry);
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 32 + 4 + n * entry).order(ByteOrder.LITTLE_ENDIAN);
    b.put("SMCIDX01".getBytes(StandardCharsets.US_ASCII)).putInt(1);
    byte[] id = new byte[32];
    rnd.nextBytes(id);
    b.put(id).putInt(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) 0).put((byte) 0).putInt(i * 4096).putInt(4096).putInt(4096); // data, stored raw
      rnd.nextBytes(id);
      b.put(id);
    }
    return b.array();
  }
}
