package dev.smc.transfer.disk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Fields of on-disk structures, read at absolute positions of a buffer (little-endian unless named). */
final class Bytes {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private Bytes() {}

  static int u8(ByteBuffer b, int at) {
    return b.get(at) & 0xff;
  }

  static int u16(ByteBuffer b, int at) {
    return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
  }

  static long u32(ByteBuffer b, int at) {
    return u16(b, at) | (long) u16(b, at + 2) << 16;
  }

  /** An unsigned 64-bit field; values above {@code Long.MAX_VALUE} come back negative — callers range-check. */
  static long u64(ByteBuffer b, int at) {
    return u32(b, at) | u32(b, at + 4) << 32;
  }

  static long u32be(ByteBuffer b, int at) {
    return (long) (b.get(at) & 0xff) << 24 | (b.get(at + 1) & 0xff) << 16 | (b.get(at + 2) & 0xff) << 8
        | (b.get(at + 3) & 0xff);
  }

  static long u64be(ByteBuffer b, int at) {
    return u32be(b, at) << 32 | u32be(b, at + 4);
  }

  static boolean ascii(ByteBuffer b, int at, String expected) {
    if (at < 0 || at + expected.length() > b.limit()) {
      return false;
    }
    for (int i = 0; i < expected.length(); i++) {
      if (b.get(at + i) != (byte) expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean allZero(ByteBuffer b, int at, int length) {
    for (int i = 0; i < length; i++) {
      if (b.get(at + i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** A GUID stored as GPT stores it (first three fields little-endian), upper case: {@code 0FC63DAF-8483-…}. */
  static String guid(ByteBuffer b, int at) {
    byte[] r = new byte[16];
    int[] order = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++) {
      r[i] = b.get(at + order[i]);
    }
    return dashed(HEX.formatHex(r));
  }

  /** A UUID stored byte by byte (ext4, xfs, btrfs, swap), lower case as {@code blkid} prints it. */
  static String uuid(ByteBuffer b, int at) {
    byte[] r = new byte[16];
    b.get(at, r);
    return dashed(HexFormat.of().formatHex(r));
  }

  private static String dashed(String h) {
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
        + h.substring(20);
  }

  /** A NUL-padded string in UTF-8 (labels), cut at the first NUL, trailing blanks removed. */
  static String cString(ByteBuffer b, int at, int maxLength) {
    int n = 0;
    while (n < maxLength && b.get(at + n) != 0) {
      n++;
    }
    byte[] r = new byte[n];
    b.get(at, r);
    return new String(r, StandardCharsets.UTF_8).stripTrailing();
  }

  /** A NUL-padded UTF-16LE string (GPT partition names). */
  static String utf16le(ByteBuffer b, int at, int maxBytes) {
    int n = 0;
    while (n + 1 < maxBytes && (b.get(at + n) != 0 || b.get(at + n + 1) != 0)) {
      n += 2;
    }
    byte[] r = new byte[n];
    b.get(at, r);
    return new String(r, StandardCharsets.UTF_16LE);
  }
}
