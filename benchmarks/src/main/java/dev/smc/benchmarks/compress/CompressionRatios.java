package dev.smc.benchmarks.compress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints, as Markdown tables, the compression ratio (raw bytes / stored bytes, with chunks that do
 * not shrink stored raw) of every codec in {@link CompressionBenchmark} on the same data, per chunk
 * size; with {@code --sweep}, also every zstd level from -5 to 19 and several LZ4 HC levels at 1 MiB
 * chunks, with a rough single-pass compression speed measured in this thread's CPU time, so that
 * other load on a shared machine does not depress it (not JMH; use it to place levels, then confirm
 * speeds with the benchmark).
 *
 * <p>Run (from the repository root, after {@code ./mvnw -q -pl benchmarks -am -DskipTests package}):
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.smc.benchmarks.compress.CompressionRatios [--sweep]
 * </pre>
 */
public final class CompressionRatios {

  private static final int CORPUS = 16 << 20;
  private static final int SWEEP_CORPUS = 8 << 20;
  private static final int[] CHUNK_SIZES = {64 << 10, 1 << 20};
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CompressionRatios() {}

  public static void main(String[] args) {
    Map<SampleData.Kind, byte[]> corpora = new EnumMap<>(SampleData.Kind.class);
    for (SampleData.Kind kind : SampleData.Kind.values()) {
      corpora.put(kind, SampleData.generate(kind, CORPUS, SampleData.SEED));
    }
    String[] codecs = codecParams();

    System.out.printf("Compression ratio (raw/stored) over %d MiB per data kind; in brackets: "
        + "share of chunks stored raw when not 0%%%n%n", CORPUS >> 20);
    StringBuilder head = new StringBuilder("| codec |");
    StringBuilder rule = new StringBuilder("|---|");
    for (SampleData.Kind kind : SampleData.Kind.values()) {
      for (int chunk : CHUNK_SIZES) {
        head.append(' ').append(kind).append(' ').append(label(chunk)).append(" |");
        rule.append("---:|");
      }
    }
    System.out.println(head);
    System.out.println(rule);
    for (String spec : codecs) {
      StringBuilder row = new StringBuilder("| ").append(spec).append(" |");
      try (Codec codec = Codec.of(spec)) {
        for (SampleData.Kind kind : SampleData.Kind.values()) {
          for (int chunk : CHUNK_SIZES) {
            Result r = measure(codec, corpora.get(kind), CORPUS, chunk);
            row.append(String.format(Locale.ROOT, " %.3f", r.ratio()));
            if (r.rawChunks > 0) {
              row.append(String.format(Locale.ROOT, " (%d%% raw)", 100 * r.rawChunks / r.chunks));
            }
            row.append(" |");
          }
        }
      }
      System.out.println(row);
    }

    if (args.length > 0 && args[0].equals("--sweep")) {
      sweep(corpora);
    }
  }

  private static void sweep(Map<SampleData.Kind, byte[]> corpora) {
    List<String> specs = new ArrayList<>(List.of("lz4", "lz4hc:1", "lz4hc:4", "lz4hc:9", "lz4hc:12"));
    for (int level = -5; level <= 19; level++) {
      if (level != 0 && level != -2 && level != -4) {
        specs.add("zstd:" + level);
      }
    }
    System.out.printf("%nSweep at 1 MiB chunks over %d MiB per data kind: ratio and rough "
        + "single-pass compression MiB/s per CPU-second of one thread (not JMH)%n%n",
        SWEEP_CORPUS >> 20);
    StringBuilder head = new StringBuilder("| codec |");
    StringBuilder rule = new StringBuilder("|---|");
    for (SampleData.Kind kind : SampleData.Kind.values()) {
      head.append(' ').append(kind).append(" ratio | ").append(kind).append(" MiB/s |");
      rule.append("---:|---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    for (String spec : specs) {
      StringBuilder row = new StringBuilder("| ").append(spec).append(" |");
      try (Codec codec = Codec.of(spec)) {
        for (SampleData.Kind kind : SampleData.Kind.values()) {
          byte[] corpus = corpora.get(kind);
          measure(codec, corpus, 2 << 20, 1 << 20); // warm the code and the native context
          Result r = measure(codec, corpus, SWEEP_CORPUS, 1 << 20);
          row.append(String.format(Locale.ROOT, " %.3f | %.0f |", r.ratio(),
              (SWEEP_CORPUS / (double) (1 << 20)) / (r.cpuNanos / 1e9)));
        }
      }
      System.out.println(row);
    }
  }

  private static Result measure(Codec codec, byte[] corpus, int length, int chunk) {
    byte[] out = new byte[Math.max(codec.maxCompressedLength(chunk), chunk)];
    Result r = new Result();
    long t0 = THREADS.getCurrentThreadCpuTime();
    for (int off = 0; off + chunk <= length; off += chunk) {
      int n = codec.compress(corpus, off, chunk, out);
      r.chunks++;
      r.raw += chunk;
      if (n >= chunk) {
        r.rawChunks++;
        r.stored += chunk;
      } else {
        r.stored += n;
      }
    }
    r.cpuNanos = THREADS.getCurrentThreadCpuTime() - t0;
    return r;
  }

  /** The codec list of {@link CompressionBenchmark}, read from its {@code @Param}. */
  private static String[] codecParams() {
    try {
      return CompressionBenchmark.class.getField("codec")
          .getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String label(int chunk) {
    return chunk >= 1 << 20 ? (chunk >> 20) + " MiB" : (chunk >> 10) + " KiB";
  }

  private static final class Result {
    long raw;
    long stored;
    int chunks;
    int rawChunks;
    long cpuNanos;

    double ratio() {
      return raw / (double) stored;
    }
  }
}
