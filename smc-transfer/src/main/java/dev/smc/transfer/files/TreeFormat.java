package dev.smc.transfer.files;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The metadata stream of a file-tree image: a header, then one record per entry in walk order
 * (depth first, names sorted by their bytes), paths prefix-compressed against the previous one.
 * <pre>
 * "SMCFT001" | chunk size varint
 * entry = kind u8 | shared prefix varint | suffix length varint | suffix | mode | uid | gid
 *         | mtime ns zigzag | ctime ns zigzag | ino | nlink | xattr count, (name len, name, value len, value)*
 *         | REG: size, chunk count, (0 | 1 + 32-byte id)* | LNK: length, target | CHR/BLK: rdev
 *         | HARDLINK: size, ordinal of the entry it is another name of
 * </pre>
 * All integers are unsigned LEB128 varints unless marked zigzag.
 */
final class TreeFormat {
  static final byte[] MAGIC = "SMCFT001".getBytes(StandardCharsets.US_ASCII);

  private TreeFormat() {}

  /** Serialises entries; not thread-safe. */
  static final class Writer {
    /** Pieces are not cut inside an entry before they hold this many bytes. */
    static final int MIN_INNER_PIECE = 2048;
    private final Out out = new Out();
    private final Sink sink;
    private byte[] prev = new byte[0];

    /** Writes the stream as pieces to {@code sink} (see {@link #pieceEndsAfter}). */
    Writer(int chunkSize, Sink sink) {
      this.sink = sink;
      out.writeBytes(MAGIC);
      varint(chunkSize);
    }

    /**
     * Whether a piece of the tree should end after {@code e}: after about one entry in eight,
     * chosen by a hash of the path so the same entries end pieces in every cycle, or once a piece
     * holds 64 KiB. Small stable pieces keep a cycle's metadata growth near the size of what
     * changed, even when changes are spread over the whole tree.
     */
    boolean pieceEndsAfter(Entry e) {
      long h = 0x9E3779B97F4A7C15L;
      for (byte b : e.path) {
        h = (h ^ b) * 0x100000001B3L;
      }
      h ^= h >>> 29;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 32;
      return (h & 7) == 0 || out.size() >= 64 * 1024;
    }

    /**
     * Encodes one entry. A piece ends after it when {@link #pieceEndsAfter} says so, and inside a
     * long chunk list after a chunk id whose first byte has its low 5 bits clear (so appending to
     * a log or rewriting a few pages of a database file changes only the pieces around them).
     */
    void write(Entry e) throws IOException {
      encode(e);
      if (pieceEndsAfter(e)) {
        emit();
      }
    }

    /** Hands on what is buffered as the last piece. */
    void finish() throws IOException {
      emit();
    }

    private void emit() throws IOException {
      if (out.size() > 0) {
        sink.write(out.buf, 0, out.size());
        out.reset();
      }
      prev = new byte[0];
    }

    private void encode(Entry e) throws IOException {
      out.write(e.kind);
      int shared = 0;
      int max = Math.min(prev.length, e.path.length);
      while (shared < max && prev[shared] == e.path[shared]) {
        shared++;
      }
      varint(shared);
      varint(e.path.length - shared);
      out.write(e.path, shared, e.path.length - shared);
      prev = e.path;
      varint(e.mode & 0xffffffffL);
      varint(e.uid & 0xffffffffL);
      varint(e.gid & 0xffffffffL);
      varint(zigzag(e.mtimeNs));
      varint(zigzag(e.ctimeNs));
      varint(e.ino);
      varint(e.nlink);
      varint(e.xattrs.size());
      for (byte[][] x : e.xattrs) {
        varint(x[0].length);
        out.write(x[0], 0, x[0].length);
        varint(x[1].length);
        out.write(x[1], 0, x[1].length);
      }
      switch (e.kind) {
        case Entry.REG -> {
          varint(e.size);
          ChunkId[] cs = e.chunks == null ? new ChunkId[0] : e.chunks;
          varint(cs.length);
          byte[] id = new byte[ChunkId.LENGTH];
          for (ChunkId c : cs) {
            if (c == null) {
              out.write(0);
            } else {
              out.write(1);
              c.copyTo(id, 0);
              out.write(id, 0, id.length);
              if ((id[0] & 0x1f) == 0 && out.size() >= MIN_INNER_PIECE) {
                sink.write(out.buf, 0, out.size()); // prev stays: this entry goes on in the next piece
                out.reset();
              }
            }
          }
        }
        case Entry.LNK -> {
          varint(e.linkTarget.length);
          out.write(e.linkTarget, 0, e.linkTarget.length);
        }
        case Entry.CHR, Entry.BLK -> varint(e.rdev);
        case Entry.HARDLINK -> {
          varint(e.size);
          varint(e.linkTo);
        }
        default -> {
          // DIR, FIFO, SOCK carry nothing more
        }
      }
    }

    interface Sink {
      void write(byte[] b, int off, int len) throws IOException;
    }


    private void varint(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }

  /** An unsynchronised growable byte buffer (ByteArrayOutputStream locks on every byte). */
  private static final class Out {
    private byte[] buf = new byte[1 << 17];
    private int len;

    void write(int b) {
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[len++] = (byte) b;
    }

    void write(byte[] b, int off, int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    void writeBytes(byte[] b) {
      write(b, 0, b.length);
    }

    int size() {
      return len;
    }

    void reset() {
      len = 0;
    }
  }

  /** An unsynchronised buffered reader over the tree stream. */
  private static final class In {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;

    In(InputStream in) {
      this.in = in;
    }

    int read() throws IOException {
      if (pos == lim && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    int readNBytes(byte[] b, int off, int n) throws IOException {
      int done = 0;
      while (done < n) {
        if (pos == lim && !fill()) {
          break;
        }
        int k = Math.min(n - done, lim - pos);
        System.arraycopy(buf, pos, b, off + done, k);
        pos += k;
        done += k;
      }
      return done;
    }

    private boolean fill() throws IOException {
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return false;
      }
      pos = 0;
      lim = n;
      return true;
    }

    void close() throws IOException {
      in.close();
    }
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Reads entries back in order; not thread-safe. */
  static final class Reader implements AutoCloseable {
    private final In in;
    private final int chunkSize;
    private byte[] prev = new byte[0];
    private long ordinal;

    Reader(InputStream in) throws IOException {
      this.in = new In(in);
      byte[] magic = new byte[MAGIC.length];
      if (this.in.readNBytes(magic, 0, magic.length) != magic.length || !Arrays.equals(magic, MAGIC)) {
        throw new IntegrityException("not a file tree image (bad magic)");
      }
      this.chunkSize = (int) varint();
    }

    int chunkSize() {
      return chunkSize;
    }

    /** The ordinal (0-based) the next entry will have. */
    long ordinal() {
      return ordinal;
    }

    /** The next entry, or null at the end. */
    Entry next() throws IOException {
      int kind = in.read();
      if (kind < 0) {
        return null;
      }
      if (kind < Entry.REG || kind > Entry.HARDLINK) {
        throw new IntegrityException("file tree entry " + ordinal + ": unknown kind " + kind);
      }
      Entry e = new Entry();
      e.kind = kind;
      int shared = (int) varint();
      int suffix = (int) varint();
      if (shared > prev.length || suffix < 0 || suffix > 1 << 20) {
        throw new IntegrityException("file tree entry " + ordinal + ": bad path lengths");
      }
      byte[] path = new byte[shared + suffix];
      System.arraycopy(prev, 0, path, 0, shared);
      readFully(path, shared, suffix);
      e.path = path;
      prev = path;
      e.mode = (int) varint();
      e.uid = (int) varint();
      e.gid = (int) varint();
      e.mtimeNs = unzigzag(varint());
      e.ctimeNs = unzigzag(varint());
      e.ino = varint();
      e.nlink = varint();
      int nx = (int) varint();
      if (nx > 0) {
        e.xattrs = new ArrayList<>(nx);
        for (int i = 0; i < nx; i++) {
          byte[] name = bytes((int) varint());
          byte[] value = bytes((int) varint());
          e.xattrs.add(new byte[][] {name, value});
        }
      }
      switch (kind) {
        case Entry.REG -> {
          e.size = varint();
          long n = varint();
          if (n < 0 || n > (e.size / Math.max(1, chunkSize)) + 1) {
            throw new IntegrityException("file tree entry " + ordinal + ": " + n + " chunks for " + e.size + " bytes");
          }
          ChunkId[] cs = new ChunkId[(int) n];
          byte[] id = new byte[ChunkId.LENGTH];
          for (int i = 0; i < n; i++) {
            int flag = in.read();
            if (flag == 1) {
              readFully(id, 0, id.length);
              cs[i] = ChunkId.of(id);
            } else if (flag != 0) {
              throw new IntegrityException("file tree entry " + ordinal + ": bad chunk flag " + flag);
            }
          }
          e.chunks = cs;
        }
        case Entry.LNK -> e.linkTarget = bytes((int) varint());
        case Entry.CHR, Entry.BLK -> e.rdev = varint();
        case Entry.HARDLINK -> {
          e.size = varint();
          e.linkTo = varint();
        }
        default -> {
          // nothing more
        }
      }
      ordinal++;
      return e;
    }

    private byte[] bytes(int n) throws IOException {
      if (n < 0 || n > 64 << 20) {
        throw new IntegrityException("file tree entry " + ordinal + ": field of " + n + " bytes");
      }
      byte[] b = new byte[n];
      readFully(b, 0, n);
      return b;
    }

    private void readFully(byte[] b, int off, int n) throws IOException {
      int got = in.readNBytes(b, off, n);
      if (got != n) {
        throw new IntegrityException("file tree is truncated at entry " + ordinal);
      }
    }

    private long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.read();
        if (b < 0) {
          throw new IntegrityException("file tree is truncated at entry " + ordinal);
        }
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IntegrityException("file tree entry " + ordinal + ": varint too long");
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Every data chunk a file tree refers to. */
  static void references(InputStream tree, Consumer<ChunkId> out) throws IOException {
    try (Reader r = new Reader(tree)) {
      for (Entry e = r.next(); e != null; e = r.next()) {
        if (e.chunks != null) {
          for (ChunkId c : e.chunks) {
            if (c != null) {
              out.accept(c);
            }
          }
        }
      }
    }
  }

  /** Walk order: depth first with names sorted by bytes, i.e. paths compared with '/' lowest. */
  static int compare(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int x = a[i] == '/' ? 0 : (a[i] & 0xff) + 1;
      int y = b[i] == '/' ? 0 : (b[i] & 0xff) + 1;
      if (x != y) {
        return x - y;
      }
    }
    return a.length - b.length;
  }
}
