package dev.smc.benchmarks.hash;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Chunk hashing throughput: JDK SHA-256 (SHA-NI intrinsic where the CPU has it) against
 * BouncyCastle's pure-Java SHA-256, with BouncyCastle BLAKE2b-256 and BLAKE3-256 for reference,
 * and JDK SHA-256 fed from a direct {@link ByteBuffer} (what the block reader fills) against a
 * heap {@code byte[]}; and the block engine's fingerprint (XXH64 + CRC-32C), which spares unchanged
 * blocks the SHA-256.
 *
 * <p><b>How to read it.</b> Every invocation hashes exactly 1 MiB, split into independent chunks
 * of {@code chunkSize} bytes, each finished into its own 32-byte digest (so the per-chunk
 * finalisation cost is included). The score is therefore in <b>MiB/s of input per thread</b>
 * (ops/s × 1 MiB); multiply by 1.048576 for MB/s.
 *
 * <p>Run (from the repository root, after {@code ./mvnw -q -pl benchmarks -am -DskipTests package}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'dev.smc.benchmarks.hash.HashBenchmark' \
 *     -f 1 -wi 2 -w 2s -i 3 -r 2s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HashBenchmark {

  /** Bytes hashed per invocation; fixed so that ops/s reads directly as MiB/s. */
  static final int BYTES_PER_INVOCATION = 1 << 20;
  private static final long SEED = 0x5EED_0001L;

  @Param({"4096", "65536", "1048576"})
  public int chunkSize;

  private byte[] heap;
  private ByteBuffer[] directChunks;
  private final byte[] out = new byte[32];

  private static final net.jpountz.xxhash.XXHash64 XXH64 =
      net.jpountz.xxhash.XXHashFactory.fastestInstance().hash64();
  private final java.util.zip.CRC32C crc32c = new java.util.zip.CRC32C();
  private MessageDigest jdkSha256;
  private Digest bcSha256;
  private Digest bcBlake2b256;
  private Digest bcBlake3;

  @Setup
  public void setup() throws NoSuchAlgorithmException {
    heap = new byte[BYTES_PER_INVOCATION];
    new SplittableRandom(SEED).nextBytes(heap);
    ByteBuffer direct = ByteBuffer.allocateDirect(BYTES_PER_INVOCATION);
    direct.put(heap).flip();
    directChunks = new ByteBuffer[BYTES_PER_INVOCATION / chunkSize];
    for (int i = 0; i < directChunks.length; i++) {
      directChunks[i] = direct.slice(i * chunkSize, chunkSize);
    }
    jdkSha256 = MessageDigest.getInstance("SHA-256");
    bcSha256 = new SHA256Digest();
    bcBlake2b256 = new Blake2bDigest(256);
    bcBlake3 = new Blake3Digest(256);
    if (bcBlake2b256.getDigestSize() != 32 || bcBlake3.getDigestSize() != 32) {
      throw new IllegalStateException("expected 256-bit BLAKE digests");
    }
  }

  @Benchmark
  public void jdkSha256(Blackhole bh) throws DigestException {
    for (int off = 0; off < BYTES_PER_INVOCATION; off += chunkSize) {
      jdkSha256.update(heap, off, chunkSize);
      bh.consume(jdkSha256.digest(out, 0, out.length));
    }
  }

  @Benchmark
  public void jdkSha256DirectBuffer(Blackhole bh) throws DigestException {
    for (ByteBuffer chunk : directChunks) {
      chunk.clear();
      jdkSha256.update(chunk);
      bh.consume(jdkSha256.digest(out, 0, out.length));
    }
  }

  /**
   * The block engine's pre-filter ({@code dev.smc.transfer.blocks.Fingerprint}): XXH64 through
   * lz4-java's JNI and the JDK's CRC-32C over a direct buffer, per chunk.
   */
  @Benchmark
  public void blockFingerprint(Blackhole bh) {
    for (ByteBuffer chunk : directChunks) {
      bh.consume(XXH64.hash(chunk, 0, chunk.capacity(), 0L));
      crc32c.reset();
      crc32c.update(chunk.clear());
      bh.consume(crc32c.getValue());
    }
  }

  @Benchmark
  public void bcSha256(Blackhole bh) {
    hashChunks(bcSha256, bh);
  }

  @Benchmark
  public void bcBlake2b256(Blackhole bh) {
    hashChunks(bcBlake2b256, bh);
  }

  @Benchmark
  public void bcBlake3(Blackhole bh) {
    hashChunks(bcBlake3, bh);
  }

  private void hashChunks(Digest digest, Blackhole bh) {
    for (int off = 0; off < BYTES_PER_INVOCATION; off += chunkSize) {
      digest.update(heap, off, chunkSize);
      bh.consume(digest.doFinal(out, 0));
    }
  }
}
