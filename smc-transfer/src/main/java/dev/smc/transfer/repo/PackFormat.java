package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import dev.smc.transfer.codec.Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A pack file: chunks back to back, then a self-describing trailer, so a pack can be read (and an
 * index rebuilt) without any index:
 * <pre>
 * chunk bytes ... | count u32 | count x entry | trailer length u32 | "SMCPACK1"
 * entry = type u8 | codec u8 | offset u32 | stored length u32 | raw length u32 | id 32 bytes
 * </pre>
 * Integers are little-endian. A pack is named by the SHA-256 of its bytes.
 */
final class PackFormat {
  static final byte[] MAGIC = "SMCPACK1".getBytes(StandardCharsets.US_ASCII);
  static final int ENTRY = 1 + 1 + 4 + 4 + 4 + ChunkId.LENGTH;
  /** The largest chunk: the largest chunk size a repository may have (tree chunks are smaller). */
  static final int MAX_RAW_LENGTH = 8 << 20;
  static final int MAX_STORED_LENGTH = Codec.maxCompressedLength(MAX_RAW_LENGTH);

  /** One chunk in a pack. */
  record Entry(ChunkId id, BlobType type, Codec codec, int offset, int storedLength, int rawLength) {
    Location at(String pack) {
      return new Location(pack, type, codec, offset, storedLength, rawLength);
    }
  }

  private PackFormat() {}

  static int trailerSize(int count) {
    return 4 + count * ENTRY + 4 + MAGIC.length;
  }

  static void writeEntry(ByteBuffer b, Entry e) {
    b.put((byte) e.type().id()).put((byte) e.codec().id()).putInt(e.offset()).putInt(e.storedLength())
        .putInt(e.rawLength());
    byte[] id = new byte[ChunkId.LENGTH];
    e.id().copyTo(id, 0);
    b.put(id);
  }

  /**
   * Reads one entry. Lengths beyond the largest chunk are damage, reported before anyone allocates a
   * buffer of that size for it.
   */
  static Entry readEntry(ByteBuffer b) {
    BlobType t = BlobType.byId(b.get());
    Codec c = Codec.byId(b.get());
    int off = b.getInt();
    int stored = b.getInt();
    int raw = b.getInt();
    byte[] id = new byte[ChunkId.LENGTH];
    b.get(id);
    ChunkId chunk = ChunkId.of(id);
    if (raw < 0 || raw > MAX_RAW_LENGTH || stored < 0 || stored > MAX_STORED_LENGTH) {
      throw new IntegrityException("chunk " + chunk + ": lengths " + stored + " stored / " + raw
          + " raw are out of range (damaged)");
    }
    return new Entry(chunk, t, c, off, stored, raw);
  }

  /** Appends the trailer for {@code entries} to {@code out} (little-endian). */
  static void writeTrailer(ByteBuffer out, List<Entry> entries) {
    out.order(ByteOrder.LITTLE_ENDIAN);
    int start = out.position();
    out.putInt(entries.size());
    for (Entry e : entries) {
      writeEntry(out, e);
    }
    out.putInt(out.position() - start + 4 + MAGIC.length);
    out.put(MAGIC);
  }

  /** The trailer length from the last 12 bytes of a pack. */
  static int trailerLength(ByteBuffer tail12, String pack) {
    ByteBuffer b = tail12.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int len = b.getInt(b.limit() - 12);
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(b.limit() - 8 + i) != MAGIC[i]) {
        throw new IntegrityException("pack " + pack + ": no pack trailer (bad magic)");
      }
    }
    return len;
  }

  /**
   * Parses the entry part of a trailer (count and entries, without the final length and magic)
   * and checks every entry lies inside the pack's data.
   */
  static List<Entry> parseTrailer(ByteBuffer trailer, long packSize, String pack) {
    ByteBuffer b = trailer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int count = b.getInt();
    if (count < 0 || 4L + (long) count * ENTRY != b.limit()) {
      throw new IntegrityException("pack " + pack + ": trailer of " + b.limit() + " bytes cannot hold " + count
          + " entries");
    }
    long dataEnd = packSize - b.limit() - 4 - MAGIC.length;
    List<Entry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Entry e = readEntry(b);
      if (e.offset() < 0 || e.storedLength() < 0 || e.rawLength() < 0
          || (long) e.offset() + e.storedLength() > dataEnd) {
        throw new IntegrityException("pack " + pack + ": entry " + i + " (" + e.id() + ") lies outside the pack");
      }
      out.add(e);
    }
    return out;
  }

  /** The whole trailer of a pack held in memory (entries, length and magic): what names the pack. */
  static ByteBuffer trailerBytes(ByteBuffer pack, String name) {
    if (pack.remaining() < 12) {
      throw new IntegrityException("pack " + name + ": only " + pack.remaining() + " bytes");
    }
    int len = trailerLength(pack.slice(pack.limit() - 12, 12), name);
    if (len < 16 || len > pack.remaining()) {
      throw new IntegrityException("pack " + name + ": trailer length " + len + " out of range");
    }
    return pack.slice(pack.limit() - len, len);
  }

  /** Parses a whole pack's trailer. */
  static List<Entry> parse(ByteBuffer pack, String name) {
    if (pack.remaining() < 12) {
      throw new IntegrityException("pack " + name + ": only " + pack.remaining() + " bytes");
    }
    int len = trailerLength(pack.slice(pack.limit() - 12, 12), name);
    if (len < 16 || len > pack.remaining()) {
      throw new IntegrityException("pack " + name + ": trailer length " + len + " out of range");
    }
    return parseTrailer(pack.slice(pack.limit() - len, len - 4 - MAGIC.length), pack.remaining(), name);
  }
}
