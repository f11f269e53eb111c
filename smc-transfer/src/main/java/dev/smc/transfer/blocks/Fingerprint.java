package dev.smc.transfer.blocks;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * A block's fingerprint: XXH64 (seed 0) and CRC-32C of its bytes, 12 bytes big-endian. An
 * incremental cycle compares it with the parent image's fingerprint of the block at the same
 * offset and computes the SHA-256 only where they differ: a fingerprint costs a fraction of a
 * SHA-256 (XXH64 through lz4-java's JNI and the JDK's CRC-32C intrinsic read a page-cached
 * block at several GB/s; SHA-256 at 1.3 GB/s), and most blocks of a running server do not change
 * between cycles.
 *
 * <p>A fingerprint only ever decides "same as the parent's block at this offset": two unrelated
 * hash constructions (96 bits) must both collide for a change to be missed, which no accidental
 * change does; deduplication and integrity still rest on the SHA-256 id.
 */
final class Fingerprint {
  static final int LENGTH = 12;
  private static final XXHash64 XXH64 = XXHashFactory.fastestInstance().hash64();
  private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

  private Fingerprint() {}

  /** Writes the fingerprint of {@code buf[off, off+len)} (positions ignored) to {@code dst[dOff..]}. */
  static void of(ByteBuffer buf, int off, int len, byte[] dst, int dOff) {
    long x = XXH64.hash(buf, off, len, 0L);
    CRC32C crc = CRC.get();
    crc.reset();
    crc.update(buf.slice(off, len));
    int c = (int) crc.getValue();
    for (int i = 7; i >= 0; i--) {
      dst[dOff + i] = (byte) x;
      x >>>= 8;
    }
    for (int i = 11; i >= 8; i--) {
      dst[dOff + i] = (byte) c;
      c >>>= 8;
    }
  }

  static boolean equal(byte[] a, int aOff, byte[] b, int bOff) {
    return Arrays.equals(a, aOff, aOff + LENGTH, b, bOff, bOff + LENGTH);
  }
}
