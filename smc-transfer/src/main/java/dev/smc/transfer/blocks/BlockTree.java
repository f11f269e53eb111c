package dev.smc.transfer.blocks;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * The metadata stream of a block image: {@code "SMCBT001"}, block size and disk size as 8-byte
 * big-endian numbers, then one record per block in disk order: {@code 0} for an all-zero block
 * (a hole) or {@code 1} and the block's 32-byte SHA-256. The stream is written in pieces that end
 * after ids whose first byte has its low 5 bits clear (at least 2 KiB a piece), so unchanged runs
 * of blocks are the same pieces in every cycle.
 */
final class BlockTree {
  static final byte[] MAGIC = "SMCBT001".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = MAGIC.length + 16;
  static final int MIN_PIECE = 2048;

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

    void block(@Nullable ChunkId id) throws IOException {
      if (len + 1 + ChunkId.LENGTH > buf.length) {
        flush();
      }
      if (id == null) {
        buf[len++] = 0;
        return;
      }
      buf[len++] = 1;
      id.copyTo(buf, len);
      len += ChunkId.LENGTH;
      if ((buf[len - ChunkId.LENGTH] & 0x1f) == 0 && len >= MIN_PIECE) {
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
    private final int blockSize;
    private final long diskSize;
    private final long blocks;
    private final byte[] id = new byte[ChunkId.LENGTH];
    private long next;

    Reader(InputStream in) throws IOException {
      this.in = new java.io.BufferedInputStream(in, 1 << 16);
      byte[] h = this.in.readNBytes(HEADER);
      if (h.length != HEADER || !Arrays.equals(Arrays.copyOf(h, MAGIC.length), MAGIC)) {
        throw new IntegrityException("not a block image tree (bad header)");
      }
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

    /** The next block's id, or null for a hole; fails past the last block or on damage. */
    @Nullable
    ChunkId next() throws IOException {
      if (next >= blocks) {
        throw new IntegrityException("block image tree: read past its " + blocks + " blocks");
      }
      int flag = in.read();
      next++;
      if (flag == 0) {
        return null;
      }
      if (flag != 1 || in.readNBytes(id, 0, id.length) != id.length) {
        throw new IntegrityException("block image tree is damaged at block " + (next - 1));
      }
      return ChunkId.of(id);
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
