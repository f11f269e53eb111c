package dev.smc.benchmarks.chunk;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What cutting and naming chunks costs per byte, at several chunk sizes: smc's fixed, aligned
 * chunks (zero check + SHA-256 per chunk) against content-defined chunking with a gear rolling
 * hash (what restic-style CDC adds before the same SHA-256). Input: 64 MiB of text-like data from a
 * fixed seed. Score = operations per second where one operation is one MiB, i.e. MiB/s.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ChunkingBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ChunkingBenchmark {
  private static final int MIB = 1 << 20;
  private static final int SIZE = 64 * MIB;

  @Param({"16384", "65536", "262144", "1048576"})
  int chunkSize;

  private byte[] data;
  private byte[] zeros;
  private MessageDigest sha;
  private final long[] gear = new long[256];

  @Setup
  public void setup() throws Exception {
    SplittableRandom r = new SplittableRandom(42);
    data = new byte[SIZE];
    String[] words = "server config file path user error default value enable port host name data log".split(" ");
    int p = 0;
    while (p < SIZE) {
      byte[] w = words[r.nextInt(words.length)].getBytes();
      int n = Math.min(w.length, SIZE - p);
      System.arraycopy(w, 0, data, p, n);
      p += n;
      if (p < SIZE) {
        data[p++] = (byte) (r.nextInt(10) == 0 ? '\n' : ' ');
      }
    }
    zeros = new byte[chunkSize];
    sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 256; i++) {
      gear[i] = r.nextLong();
    }
  }

  /** smc's file and block engines: fixed, aligned chunks; all-zero chunks skipped; SHA-256 names the rest. */
  @Benchmark
  @OperationsPerInvocation(SIZE / MIB)
  public void fixedAligned(Blackhole bh) {
    for (int off = 0; off < SIZE; off += chunkSize) {
      int len = Math.min(chunkSize, SIZE - off);
      if (Arrays.mismatch(data, off, off + len, zeros, 0, len) < 0) {
        continue;
      }
      sha.update(data, off, len);
      bh.consume(sha.digest());
    }
  }

  /** Content-defined chunks (gear hash, min = size/4, average = size, max = size*4), then SHA-256. */
  @Benchmark
  @OperationsPerInvocation(SIZE / MIB)
  public void gearContentDefined(Blackhole bh) {
    long mask = Integer.highestOneBit(chunkSize) - 1L;
    int min = chunkSize / 4;
    int max = chunkSize * 4;
    int start = 0;
    while (start < SIZE) {
      int end = Math.min(SIZE, start + max);
      int i = Math.min(end, start + min);
      long h = 0;
      for (; i < end; i++) {
        h = (h << 1) + gear[data[i] & 0xff];
        if ((h & mask) == 0) {
          i++;
          break;
        }
      }
      sha.update(data, start, i - start);
      bh.consume(sha.digest());
      start = i;
    }
  }
}
