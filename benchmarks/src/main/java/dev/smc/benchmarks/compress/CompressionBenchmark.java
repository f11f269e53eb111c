package dev.smc.benchmarks.compress;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Chunk compression and decompression throughput per codec and native level, on text-like,
 * PostgreSQL-heap-like and random data (see {@link SampleData}), with smc's rule applied: a chunk
 * whose compressed form does not shrink is stored raw (so "decompressing" it is a copy).
 *
 * <p><b>How to read it.</b> Every invocation processes exactly 1 MiB of <i>raw</i> input (16
 * chunks of 64 KiB or one of 1 MiB), taken in turn from a 4 MiB corpus so consecutive invocations
 * see different bytes. The score is therefore in <b>MiB/s of raw input per thread</b> (ops/s × 1
 * MiB), for compression and decompression alike; multiply by 1.048576 for MB/s. Compression ratio
 * is not a JMH metric: {@link CompressionRatios} prints it for the same codecs and data.
 *
 * <p>Run (from the repository root, after {@code ./mvnw -q -pl benchmarks -am -DskipTests package}):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'dev.smc.benchmarks.compress.CompressionBenchmark.compress$' \
 *     -f 1 -wi 1 -w 2s -i 3 -r 2s
 * java -jar benchmarks/target/benchmarks.jar 'dev.smc.benchmarks.compress.CompressionBenchmark.decompress$' \
 *     -f 1 -wi 1 -w 1s -i 3 -r 1s
 * </pre>
 * Narrow a run with {@code -p codec=zstd:3,lz4 -p data=TEXT -p chunkSize=1048576}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CompressionBenchmark {

  /** Raw bytes per invocation; fixed so that ops/s reads directly as MiB/s. */
  static final int BYTES_PER_INVOCATION = 1 << 20;
  static final int WINDOWS = 4;

  @Param({"lz4", "lz4hc:4", "lz4hc:9", "zstd:-1", "zstd:1", "zstd:3", "zstd:6", "zstd:9",
      "zstd:15", "zstd:19", "deflate:1", "deflate:6"})
  public String codec;

  @Param({"TEXT", "PGHEAP", "RANDOM"})
  public SampleData.Kind data;

  @Param({"65536", "1048576"})
  public int chunkSize;

  private Codec impl;
  private byte[] corpus;
  private byte[] out;
  private int window;

  // Compressed chunks for decompress(): index = offset / chunkSize; length == chunkSize means raw.
  private byte[][] packed;
  private int[] packedLength;

  @Setup
  public void setup(BenchmarkParams params) {
    impl = Codec.of(codec);
    corpus = SampleData.generate(data, WINDOWS * BYTES_PER_INVOCATION, SampleData.SEED);
    out = new byte[Math.max(impl.maxCompressedLength(chunkSize), chunkSize)];
    if (params.getBenchmark().endsWith(".decompress")) {
      int chunks = corpus.length / chunkSize;
      packed = new byte[chunks][];
      packedLength = new int[chunks];
      for (int i = 0; i < chunks; i++) {
        int n = impl.compress(corpus, i * chunkSize, chunkSize, out);
        byte[] raw = Arrays.copyOfRange(corpus, i * chunkSize, (i + 1) * chunkSize);
        if (n >= chunkSize) {
          packed[i] = raw;
          packedLength[i] = chunkSize;
        } else {
          packed[i] = Arrays.copyOf(out, n);
          packedLength[i] = n;
          impl.decompress(packed[i], 0, n, out, chunkSize);
          if (!Arrays.equals(out, 0, chunkSize, raw, 0, chunkSize)) {
            throw new IllegalStateException(codec + " round trip differs at chunk " + i);
          }
        }
      }
    }
  }

  @TearDown
  public void tearDown() {
    impl.close();
  }

  /** Compresses 1 MiB of chunks and makes the store-raw decision for each. */
  @Benchmark
  public void compress(Blackhole bh) {
    int start = nextWindow();
    for (int off = start; off < start + BYTES_PER_INVOCATION; off += chunkSize) {
      int n = impl.compress(corpus, off, chunkSize, out);
      bh.consume(n < chunkSize ? n : -chunkSize); // negative: store raw
    }
  }

  /** Restores 1 MiB of chunks, copying those that were stored raw. */
  @Benchmark
  public void decompress(Blackhole bh) {
    int first = nextWindow() / chunkSize;
    for (int i = first; i < first + BYTES_PER_INVOCATION / chunkSize; i++) {
      if (packedLength[i] == chunkSize) {
        System.arraycopy(packed[i], 0, out, 0, chunkSize);
      } else {
        impl.decompress(packed[i], 0, packedLength[i], out, chunkSize);
      }
      bh.consume(out[chunkSize - 1]);
    }
  }

  private int nextWindow() {
    window = (window + 1) % WINDOWS;
    return window * BYTES_PER_INVOCATION;
  }
}
