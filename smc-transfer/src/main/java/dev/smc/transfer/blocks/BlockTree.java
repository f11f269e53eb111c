package dev.smc.transfer.blocks;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * The metadata stream of a block image: {@code "SMCBT002"}, block size and disk size as 8-byte
 * big-endian numbers, then one record per block in disk order:
 * <ul>
 *   <li>{@code 0}: an all-zero block (a hole);
 *   <li>{@code 1}, the block's 32-byte SHA-256 and its 12-byte {@link Fingerprint};
 *   <li>{@code 2} and the SHA-256 alone (a block taken unread from a version-1 parent).
 * </ul>
 * Version 1 ({@code "SMCBT001"}) has records {@code 0} and {@code 2} only (written as {@code 1});
 * it is still read. The stream is written in pieces that end after ids whose first byte has its
 * low 5 bits clear (at least 2 KiB a piece), so unchanged runs of blocks are the same pieces in
 * every cycle.
 *
 * <p>In memory a record is a fixed {@link #SLOT}-byte slot: kind, id, fingerprint; so a cycle
 * compares and copies records as bytes without an object per block.
 */
final class BlockTree {
  static final byte[] MAGIC_V1 = "SMCBT001".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAGIC = "SMCBT002".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = MAGIC.length + 16;
  static final int MIN_PIECE = 2048;

  static final byte HOLE = 0;
  static final byte HASHED = 1;
  static final byte ID_ONLY = 2;
  /** Offset of the id in a slot. */
  static final int ID = 1;
  /** Offset of the fingerprint in a slot. */
  static final int FP = ID + ChunkId.LENGTH;
  static final int SLOT = FP + Fingerprint.LENGTH;

  private BlockTree() {}

  /** Receives finished pieces. */
  interface Sink {
    void piece(byte[] b, int off, int len) throws IOException;
  }

  /** Writes block records in order; not thread-safe. */
  static final class Writer {
    private final Sink sink;
    private final byte[] buf = new byte[64 * 1024];
    private int len;

    Writer(Sink sink, int blockSize, long diskSize) {
      this.sink = sink;
      System.arraycopy(MAGIC, 0, buf, 0, MAGIC.length);
      putLong(buf, MAGIC.length, blockSize);
      putLong(buf, MAGIC.length + 8, diskSize);
      len = HEADER;
    }

    /** Appends the record in the slot at {@code slots[off]}. */
    void record(byte[] slots, int off) throws IOException {
      if (len + SLOT > buf.length) {
        flush();
      }
      byte kind = slots[off];
      buf[len++] = kind;
      switch (kind) {
        case HOLE:
          return;
        case HASHED:
          System.arraycopy(slots, off + ID, buf, len, SLOT - 1);
          len += SLOT - 1;
          break;
        case ID_ONLY:
          System.arraycopy(slots, off + ID, buf, len, ChunkId.LENGTH);
          len += ChunkId.LENGTH;
          break;
        default:
          throw new IllegalArgumentException("block record kind " + kind);
      }
      if ((slots[off + ID] & 0x1f) == 0 && len >= MIN_PIECE) {
        flush();
      }
    }

    void finish() throws IOException {
      flush();
    }

    private void flush() throws IOException {
      if (len > 0) {
        sink.piece(buf, 0, len);
        len = 0;
      }
    }
  }

  /** Reads block records in order; not thread-safe. */
  static final class Reader implements AutoCloseable {
    private final InputStream in;
    private final boolean v1;
    private final int blockSize;
    private final long diskSize;
    private final long blocks;
    private final byte[] buf = new byte[1 << 16];
    private final byte[] slot = new byte[SLOT];
    private int pos;
    private int lim;
    private long next;

    Reader(InputStream in) throws IOException {
      this.in = in;
      byte[] h = in.readNBytes(HEADER);
      byte[] magic = Arrays.copyOf(h, MAGIC.length);
      if (h.length != HEADER || !Arrays.equals(magic, MAGIC) && !Arrays.equals(magic, MAGIC_V1)) {
        throw new IntegrityException("not a block image tree (bad header)");
      }
      v1 = Arrays.equals(magic, MAGIC_V1);
      blockSize = (int) getLong(h, MAGIC.length);
      diskSize = getLong(h, MAGIC.length + 8);
      if (blockSize < 512 || Integer.bitCount(blockSize) != 1 || diskSize < 0) {
        throw new IntegrityException("block image tree: block size " + blockSize + ", disk size " + diskSize);
      }
      blocks = (diskSize + blockSize - 1) / blockSize;
    }

    int blockSize() {
      return blockSize;
    }

    long diskSize() {
      return diskSize;
    }

    long blocks() {
      return blocks;
    }

    /** Fills {@code n} slots from {@code slots[off]} with the next records; fails past the last block or on damage. */
    void read(byte[] slots, int off, int n) throws IOException {
      if (next + n > blocks) {
        throw new IntegrityException("block image tree: read past its " + blocks + " blocks");
      }
      for (int i = 0; i < n; i++, off += SLOT) {
        int kind = take(1) ? buf[pos++] : -1;
        if (v1 && kind == HASHED) {
          kind = ID_ONLY;
        }
        int body = kind == HOLE ? 0 : kind == HASHED ? SLOT - 1 : kind == ID_ONLY ? ChunkId.LENGTH : -1;
        if (body < 0 || !take(body)) {
          throw new IntegrityException("block image tree is damaged at block " + next);
        }
        slots[off] = (byte) kind;
        System.arraycopy(buf, pos, slots, off + ID, body);
        pos += body;
        next++;
      }
    }

    /** The next block's id, or null for a hole; fails past the last block or on damage. */
    @Nullable
    ChunkId next() throws IOException {
      read(slot, 0, 1);
      return slot[0] == HOLE ? null : ChunkId.of(slot, ID);
    }

    /** Makes {@code n} bytes available at {@link #pos}; false at the end of the stream. */
    private boolean take(int n) throws IOException {
      if (lim - pos >= n) {
        return true;
      }
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
      while (lim < n) {
        int r = in.read(buf, lim, buf.length - lim);
        if (r < 0) {
          return false;
        }
        lim += r;
      }
      return true;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Every data chunk a block image refers to. */
  static void references(InputStream tree, java.util.function.Consumer<ChunkId> out) throws IOException {
    try (Reader r = new Reader(tree)) {
      for (long i = 0; i < r.blocks(); i++) {
        ChunkId c = r.next();
        if (c != null) {
          out.accept(c);
        }
      }
    }
  }

  /** Whether two slots name the same stored block (same kind and id; fingerprints aside). */
  static boolean sameId(byte[] a, int aOff, byte[] b, int bOff) {
    return a[aOff] != HOLE && b[bOff] != HOLE
        && Arrays.equals(a, aOff + ID, aOff + FP, b, bOff + ID, bOff + FP);
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[off + i] & 0xff);
    }
    return v;
  }
}
