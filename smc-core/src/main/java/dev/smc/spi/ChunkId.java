package dev.smc.spi;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The SHA-256 of a chunk's raw content, which names it in a repository. Immutable; equality is
 * by value.
 */
public final class ChunkId implements Comparable<ChunkId> {
  public static final int LENGTH = 32;
  private final byte[] bytes;
  private final int hash;

  private ChunkId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
  }

  /** Wraps a copy of 32 bytes. */
  public static ChunkId of(byte[] sha256) {
    if (sha256.length != LENGTH) {
      throw new IllegalArgumentException("a chunk id is 32 bytes, got " + sha256.length);
    }
    return new ChunkId(sha256.clone());
  }

  /** Wraps 32 bytes from {@code src} at {@code off}. */
  public static ChunkId of(byte[] src, int off) {
    return new ChunkId(Arrays.copyOfRange(src, off, off + LENGTH));
  }

  public static ChunkId parse(String hex) {
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("a chunk id is 64 hex digits, got '" + hex + "'");
    }
    return new ChunkId(HexFormat.of().parseHex(hex));
  }

  /** A copy of the 32 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Writes the 32 bytes into {@code dst} at {@code off}. */
  public void copyTo(byte[] dst, int off) {
    System.arraycopy(bytes, 0, dst, off, LENGTH);
  }

  /** Whether the 32 bytes at {@code b[off]} (an absolute index; the position is ignored) are this id. */
  public boolean matches(java.nio.ByteBuffer b, int off) {
    for (int i = 0; i < LENGTH; i++) {
      if (b.get(off + i) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkId c && c.hash == hash && Arrays.equals(c.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(ChunkId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
