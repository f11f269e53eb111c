package dev.smc.benchmarks.compress;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic inputs for the compression benchmarks: the same kind, length and seed always give
 * the same bytes, so ratios and speeds are comparable between runs and machines.
 *
 * <p>Thread-safe (stateless).
 */
public final class SampleData {

  /** What a chunk of a migrated server tends to look like. */
  public enum Kind {
    /** Log lines, config files and source code: words drawn from a Zipf vocabulary. */
    TEXT,
    /** PostgreSQL-style 8 KiB heap pages: header, line pointers, tuples, free-space zeros. */
    PGHEAP,
    /** Uniformly random bytes: already compressed or encrypted data. */
    RANDOM
  }

  static final long SEED = 0x5EED_C0DEL;
  private static final int PG_PAGE = 8192;

  private SampleData() {}

  static byte[] generate(Kind kind, int length, long seed) {
    switch (kind) {
      case TEXT:
        return text(length, seed);
      case PGHEAP:
        return pgHeap(length, seed);
      case RANDOM:
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
      default:
        throw new IllegalArgumentException(kind.name());
    }
  }

  // ---- text ---------------------------------------------------------------------------------

  private static byte[] text(int length, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Zipf words = new Zipf(vocabulary(r, 20_000), 1.1);
    String[] levels = {"INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
    byte[] out = new byte[length];
    int pos = 0;
    long millis = 1_714_000_000_000L;
    StringBuilder line = new StringBuilder(256);
    while (pos < length) {
      line.setLength(0);
      int style = r.nextInt(10);
      if (style < 6) { // a log line
        millis += r.nextInt(2_000);
        line.append(Instant.ofEpochMilli(millis)).append(' ')
            .append(levels[r.nextInt(levels.length)]).append(" [worker-").append(r.nextInt(16))
            .append("] ").append(words.next(r)).append('.').append(words.next(r)).append(": ");
        for (int i = 2 + r.nextInt(12); i > 0; i--) {
          line.append(words.next(r));
          if (r.nextInt(6) == 0) {
            line.append('=').append(r.nextInt(r.nextBoolean() ? 100 : 1_000_000));
          }
          line.append(' ');
        }
      } else if (style < 8) { // a config line
        line.append("  ").append(words.next(r)).append('.').append(words.next(r)).append(" = ");
        line.append(r.nextBoolean() ? words.next(r) : Integer.toString(r.nextInt(65_536)));
      } else { // a source line
        line.append("    ".repeat(1 + r.nextInt(4)));
        switch (r.nextInt(3)) {
          case 0:
            line.append("if (").append(words.next(r)).append(" != null) {");
            break;
          case 1:
            line.append(words.next(r)).append('.').append(words.next(r)).append('(')
                .append(words.next(r)).append(", ").append(words.next(r)).append(");");
            break;
          default:
            line.append("return ").append(words.next(r)).append(';');
        }
      }
      line.append('\n');
      byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
      int n = Math.min(bytes.length, length - pos);
      System.arraycopy(bytes, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  /** Pronounceable-ish words, short ones more likely, letters weighted like English. */
  private static String[] vocabulary(SplittableRandom r, int size) {
    String letters = "eeeeeeeeeeeettttttttaaaaaaaoooooooiiiiiiinnnnnnnsssssshhhhhhrrrrrrddddllllcccuuummwwffggyypbvkjxqz";
    String[] vocab = new String[size];
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < size; i++) {
      w.setLength(0);
      int len = 2 + Math.min(r.nextInt(6) + r.nextInt(6), 12);
      for (int j = 0; j < len; j++) {
        w.append(letters.charAt(r.nextInt(letters.length())));
      }
      vocab[i] = w.toString();
    }
    return vocab;
  }

  /** Samples items with probability proportional to 1 / rank^s. */
  static final class Zipf {
    private final String[] items;
    private final double[] cdf;

    Zipf(String[] items, double s) {
      this.items = items;
      this.cdf = new double[items.length];
      double sum = 0;
      for (int i = 0; i < items.length; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < cdf.length; i++) {
        cdf[i] /= sum;
      }
    }

    String next(SplittableRandom r) {
      int i = Arrays.binarySearch(cdf, r.nextDouble());
      return items[Math.min(i < 0 ? -i - 1 : i, items.length - 1)];
    }
  }

  // ---- PostgreSQL-like heap pages -----------------------------------------------------------

  /**
   * Pages laid out like PostgreSQL's heap: 24-byte header, 4-byte line pointers growing up,
   * tuples (23-byte header padded to 24, then int4 id, int4 customer, int8 timestamp, int2 qty,
   * two short varlena strings, int8 amount) growing down from the end, zeros in between. Fill
   * factor varies per page, so free space varies too, as in a table with updates and deletes.
   */
  private static byte[] pgHeap(int length, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] out = new byte[length];
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    Zipf names = new Zipf(vocabulary(r, 2_000), 1.0);
    String[] statuses = {"active", "pending", "shipped", "delivered", "cancelled", "returned"};
    long lsn = 0x0000_0016_B300_0000L;
    int xid = 731_000;
    int id = 1;
    long createdMicros = 770_000_000_000_000L;
    for (int block = 0; (block + 1) * PG_PAGE <= length; block++) {
      int base = block * PG_PAGE;
      double fill = r.nextInt(20) == 0 ? 0.05 + 0.3 * r.nextDouble() : 0.7 + 0.3 * r.nextDouble();
      int lower = 24;
      int upper = PG_PAGE;
      int item = 0;
      while (true) {
        String status = statuses[r.nextInt(statuses.length)];
        String name = names.next(r) + ' ' + names.next(r);
        int dataStart = 24;
        int afterStrings = dataStart + 4 + 4 + 8 + 2 + 1 + status.length() + 1 + name.length();
        int tupleLen = align8(afterStrings) + 8;
        int aligned = align8(tupleLen);
        if (upper - aligned < lower + 4 || (lower + PG_PAGE - upper + aligned) > fill * PG_PAGE) {
          break;
        }
        upper -= aligned;
        item++;
        if (r.nextInt(50) == 0) {
          xid++;
        }
        int t = base + upper;
        bb.putInt(t, xid); // t_xmin
        bb.putInt(t + 4, r.nextInt(10) == 0 ? xid + 1 + r.nextInt(5_000) : 0); // t_xmax
        bb.putInt(t + 8, 0); // t_cid
        bb.putShort(t + 12, (short) (block >>> 16)); // t_ctid block hi
        bb.putShort(t + 14, (short) block); // t_ctid block lo
        bb.putShort(t + 16, (short) item); // t_ctid offset
        bb.putShort(t + 18, (short) 7); // t_infomask2: natts
        bb.putShort(t + 20, (short) 0x0902); // XMIN_COMMITTED | XMAX_INVALID | HASVARWIDTH
        out[t + 22] = 24; // t_hoff
        int d = t + dataStart;
        bb.putInt(d, id++);
        bb.putInt(d + 4, 1 + (int) Math.min(99_999, Math.abs(r.nextGaussian()) * 8_000));
        createdMicros += r.nextInt(5_000_000);
        bb.putLong(d + 8, createdMicros);
        bb.putShort(d + 16, (short) (1 + r.nextInt(9)));
        int s = d + 18;
        s = putShortVarlena(out, s, status);
        s = putShortVarlena(out, s, name);
        bb.putLong(t + align8(s - t), 100L * r.nextInt(50_000) + r.nextInt(100)); // amount cents
        // line pointer: lp_off (15 bits), lp_flags = LP_NORMAL (2 bits), lp_len (15 bits)
        bb.putInt(base + lower, upper | (1 << 15) | (tupleLen << 17));
        lower += 4;
      }
      lsn += 0x2000 + r.nextInt(0x10_000);
      bb.putInt(base, (int) (lsn >>> 32)); // pd_lsn.xlogid
      bb.putInt(base + 4, (int) lsn); // pd_lsn.xrecoff
      bb.putShort(base + 8, (short) r.nextInt(65_536)); // pd_checksum
      bb.putShort(base + 10, (short) 0); // pd_flags
      bb.putShort(base + 12, (short) lower);
      bb.putShort(base + 14, (short) upper);
      bb.putShort(base + 16, (short) PG_PAGE); // pd_special: heap pages have none
      bb.putShort(base + 18, (short) (PG_PAGE | 4)); // pd_pagesize_version
      bb.putInt(base + 20, 0); // pd_prune_xid
    }
    return out;
  }

  private static int putShortVarlena(byte[] out, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    out[at] = (byte) (((b.length + 1) << 1) | 1); // 1-byte varlena header (little-endian layout)
    System.arraycopy(b, 0, out, at + 1, b.length);
    return at + 1 + b.length;
  }

  private static int align8(int n) {
    return (n + 7) & ~7;
  }
}
