package dev.smc.transfer.repo;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 through the JDK (SHA-NI intrinsic where the CPU has it; see HashBenchmark). */
public final class Hashing {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashing::newSha256);

  private Hashing() {}

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** SHA-256 of {@code b[off, off+len)}, with this thread's digest. */
  public static byte[] sha256(byte[] b, int off, int len) {
    MessageDigest md = SHA256.get();
    md.update(b, off, len);
    return md.digest();
  }

  /** SHA-256 of the buffer's remaining bytes; the position is left unchanged. */
  public static byte[] sha256(ByteBuffer buf) {
    MessageDigest md = SHA256.get();
    md.update(buf.duplicate());
    return md.digest();
  }

  public static String sha256Hex(ByteBuffer buf) {
    return HexFormat.of().formatHex(sha256(buf));
  }
}
