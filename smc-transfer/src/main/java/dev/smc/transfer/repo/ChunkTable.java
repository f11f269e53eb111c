package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import dev.smc.transfer.codec.Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * An immutable, compact table of stored chunks. The entries stay where they were read, in the
 * {@link PackFormat#ENTRY}-byte form of index files (a memory mapping of the files, for a local
 * repository), and are found through open-addressing hash tables of entry numbers, one per shard
 * of the id space, built on all cores. A repository of a million chunks costs 8 MB of heap here
 * and loads in a fraction of a second, where an object per chunk would cost several times that
 * and keep the collector busy.
 */
final class ChunkTable {
  /** Shards of the id space by the top bits of the hash; each is built by its own thread. */
  private static final int SHARD_BITS = 2;
  private static final int ID = PackFormat.ENTRY - ChunkId.LENGTH;
  static final ChunkTable EMPTY = new ChunkTable(new Part[0], new int[1], emptyShards(), 0);
  private static final byte[] MAGIC = "SMCITC01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** One pack's entries: {@code count} entries in index-file form, little-endian, from position 0. */
  record Part(String pack, ByteBuffer entries, int count) {
    Part {
      entries = entries.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The least size the pack must have to hold these chunks and its trailer. Every pack is written
     * chunk after chunk, its entries in that order (a cycle's packs, gc's, an adopted pack's trailer),
     * so the last entry ends where the chunks do: one read per pack, not one per chunk.
     */
    long leastPackSize() {
      if (count == 0) {
        return PackFormat.trailerSize(0);
      }
      int last = (count - 1) * PackFormat.ENTRY;
      long end = (entries.getInt(last + 2) & 0xffffffffL) + (entries.getInt(last + 6) & 0xffffffffL);
      return end + PackFormat.trailerSize(count);
    }
  }

  private final Part[] parts;
  /** Number of each part's first entry; one more element than parts. */
  private final int[] starts;
  private final IntBuffer[] shards;
  private final int size;

  private ChunkTable(Part[] parts, int[] starts, IntBuffer[] shards, int size) {
    this.parts = parts;
    this.starts = starts;
    this.shards = shards;
    this.size = size;
  }

  /** A table of {@code parts}; where an id appears more than once, the first part's entry wins. */
  static ChunkTable build(List<Part> list) {
    Part[] parts = list.toArray(Part[]::new);
    int[] starts = new int[parts.length + 1];
    for (int i = 0; i < parts.length; i++) {
      starts[i + 1] = Math.addExact(starts[i], parts[i].count());
    }
    int total = starts[parts.length];
    int perShard = Math.max(16, Integer.highestOneBit(Math.max(1, total >> SHARD_BITS)) * 4);
    IntBuffer[] shards = new IntBuffer[1 << SHARD_BITS];
    int[] sizes = new int[shards.length];
    IntStream shardNumbers = IntStream.range(0, shards.length);
    (total >= 1 << 16 ? shardNumbers.parallel() : shardNumbers).forEach(sh -> {
      int[] slots = new int[perShard];
      int mask = perShard - 1;
      int n = 0;
      for (int p = 0; p < parts.length; p++) {
        ByteBuffer b = parts[p].entries();
        for (int i = 0, at = ID; i < parts[p].count(); i++, at += PackFormat.ENTRY) {
          int h = hash(b, at);
          if (h >>> (32 - SHARD_BITS) != sh) {
            continue;
          }
          if (n * 2 >= slots.length) {
            slots = rehash(slots, parts, starts);
            mask = slots.length - 1;
          }
          int e = starts[p] + i;
          for (int s = h & mask; ; s = (s + 1) & mask) {
            int o = slots[s] - 1;
            if (o < 0) {
              slots[s] = e + 1;
              n++;
              break;
            }
            if (sameId(parts, starts, o, b, at)) {
              break; // the first entry of this id wins
            }
          }
        }
      }
      shards[sh] = IntBuffer.wrap(slots);
      sizes[sh] = n;
    });
    return new ChunkTable(parts, starts, shards, Arrays.stream(sizes).sum());
  }

  int size() {
    return size;
  }

  List<Part> parts() {
    return List.of(parts);
  }

  Location get(ChunkId id) {
    int e = find(id);
    if (e < 0) {
      return null;
    }
    int part = partOf(starts, e);
    Part p = parts[part];
    ByteBuffer b = p.entries();
    int at = (e - starts[part]) * PackFormat.ENTRY;
    int type = b.get(at);
    int off = b.getInt(at + 2);
    int stored = b.getInt(at + 6);
    int raw = b.getInt(at + 10);
    if (type < 0 || type > 1 || off < 0 || raw < 0 || raw > PackFormat.MAX_RAW_LENGTH || stored < 0
        || stored > PackFormat.MAX_STORED_LENGTH) {
      throw new IntegrityException("chunk " + id + ": its index entry for pack " + p.pack() + " is damaged (type "
          + type + ", offset " + off + ", " + stored + " stored / " + raw + " raw bytes)");
    }
    return new Location(p.pack(), BlobType.byId(type), Codec.byId(b.get(at + 1)), off, stored, raw);
  }

  boolean contains(ChunkId id) {
    return find(id) >= 0;
  }

  private int find(ChunkId id) {
    int h = id.hashCode();
    IntBuffer slots = shards[h >>> (32 - SHARD_BITS)];
    int mask = slots.limit() - 1;
    for (int s = h & mask; ; s = (s + 1) & mask) {
      int e = slots.get(s) - 1;
      if (e < 0) {
        return -1;
      }
      int p = partOf(starts, e);
      if (id.matches(parts[p].entries(), (e - starts[p]) * PackFormat.ENTRY + ID)) {
        return e;
      }
    }
  }

  private static IntBuffer[] emptyShards() {
    IntBuffer[] out = new IntBuffer[1 << SHARD_BITS];
    for (int i = 0; i < out.length; i++) {
      out[i] = IntBuffer.wrap(new int[16]);
    }
    return out;
  }

  /**
   * Writes the table, for {@link #read}: {@code "SMCITC01"}, the parts (pack id and count), every
   * entry, the shards' slots, and a CRC-32 of all of it; little-endian.
   */
  void write(java.nio.channels.WritableByteChannel out) throws java.io.IOException {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4 + parts.length * (ChunkId.LENGTH + 4))
        .order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAGIC).putInt(parts.length);
    for (Part p : parts) {
      head.put(java.util.HexFormat.of().parseHex(p.pack())).putInt(p.count());
    }
    writeAll(out, head.flip(), crc);
    for (Part p : parts) {
      writeAll(out, p.entries().duplicate().clear().limit(p.count() * PackFormat.ENTRY), crc);
    }
    for (IntBuffer slots : shards) {
      ByteBuffer b = ByteBuffer.allocate(4 + slots.limit() * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(slots.limit());
      b.asIntBuffer().put(slots.duplicate().clear());
      writeAll(out, b.clear(), crc);
    }
    writeAll(out, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(size).flip(), crc);
    writeAll(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue()).flip(), null);
  }

  private static void writeAll(java.nio.channels.WritableByteChannel out, ByteBuffer b, java.util.zip.CRC32 crc)
      throws java.io.IOException {
    if (crc != null) {
      crc.update(b.duplicate());
    }
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  /**
   * A table {@link #write} wrote, over {@code in} (typically a memory mapping, which the table then
   * uses in place); an {@link IntegrityException} when it is damaged.
   */
  static ChunkTable read(ByteBuffer in) {
    ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (b.remaining() < MAGIC.length + 16) {
        throw new IntegrityException("chunk table: only " + b.remaining() + " bytes");
      }
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(b.duplicate().limit(b.limit() - 8));
      if (crc.getValue() != b.getLong(b.limit() - 8)) {
        throw new IntegrityException("chunk table: checksum does not match");
      }
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IntegrityException("chunk table: bad magic");
      }
      int n = b.getInt();
      String[] packs = new String[n];
      int[] counts = new int[n];
      byte[] id = new byte[ChunkId.LENGTH];
      for (int i = 0; i < n; i++) {
        b.get(id);
        packs[i] = java.util.HexFormat.of().formatHex(id);
        counts[i] = b.getInt();
      }
      Part[] parts = new Part[n];
      int[] starts = new int[n + 1];
      for (int i = 0; i < n; i++) {
        int len = Math.multiplyExact(counts[i], PackFormat.ENTRY);
        parts[i] = new Part(packs[i], b.slice(b.position(), len), counts[i]);
        b.position(b.position() + len);
        starts[i + 1] = Math.addExact(starts[i], counts[i]);
      }
      IntBuffer[] shards = new IntBuffer[1 << SHARD_BITS];
      for (int i = 0; i < shards.length; i++) {
        int len = b.getInt();
        if (len <= 0 || Integer.bitCount(len) != 1) {
          throw new IntegrityException("chunk table: shard of " + len + " slots");
        }
        shards[i] = b.slice(b.position(), Math.multiplyExact(len, 4)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        b.position(b.position() + len * 4);
      }
      int size = b.getInt();
      if (b.remaining() != 8) {
        throw new IntegrityException("chunk table: " + (b.remaining() - 8) + " trailing bytes");
      }
      return new ChunkTable(parts, starts, shards, size);
    } catch (RuntimeException e) {
      if (e instanceof IntegrityException ie) {
        throw ie;
      }
      throw new IntegrityException("chunk table: damaged (" + e + ")", e);
    }
  }

  /** Parts of {@code decoded} entries, one per pack. */
  static List<Part> parts(Map<String, List<PackFormat.Entry>> decoded) {
    List<Part> out = new ArrayList<>();
    decoded.forEach((pack, es) -> {
      ByteBuffer b = ByteBuffer.allocate(es.size() * PackFormat.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
      for (PackFormat.Entry e : es) {
        PackFormat.writeEntry(b, e);
      }
      out.add(new Part(pack, b.flip(), es.size()));
    });
    return out;
  }

  /** Parts of single chunks, grouped by pack. */
  static List<Part> parts(Iterable<Map.Entry<ChunkId, Location>> chunks) {
    Map<String, List<PackFormat.Entry>> byPack = new LinkedHashMap<>();
    for (Map.Entry<ChunkId, Location> c : chunks) {
      Location l = c.getValue();
      byPack.computeIfAbsent(l.pack(), k -> new ArrayList<>()).add(
          new PackFormat.Entry(c.getKey(), l.type(), l.codec(), l.offset(), l.storedLength(), l.rawLength()));
    }
    return parts(byPack);
  }

  private static int partOf(int[] starts, int e) {
    int i = Arrays.binarySearch(starts, e);
    if (i < 0) {
      return -i - 2;
    }
    while (i + 1 < starts.length && starts[i + 1] == e) {
      i++; // empty parts start where the next one does
    }
    return i;
  }

  private static boolean sameId(Part[] parts, int[] starts, int e, ByteBuffer b, int at) {
    int p = partOf(starts, e);
    ByteBuffer o = parts[p].entries();
    int oat = (e - starts[p]) * PackFormat.ENTRY + ID;
    return sameBytes(o, oat, b, at);
  }

  private static boolean sameBytes(ByteBuffer a, int aAt, ByteBuffer b, int bAt) {
    for (int i = 0; i < ChunkId.LENGTH; i += 8) {
      if (a.getLong(aAt + i) != b.getLong(bAt + i)) {
        return false;
      }
    }
    return true;
  }

  private static int[] rehash(int[] slots, Part[] parts, int[] starts) {
    int[] bigger = new int[slots.length * 2];
    int mask = bigger.length - 1;
    for (int v : slots) {
      if (v == 0) {
        continue;
      }
      int p = partOf(starts, v - 1);
      int s = hash(parts[p].entries(), (v - 1 - starts[p]) * PackFormat.ENTRY + ID) & mask;
      while (bigger[s] != 0) {
        s = (s + 1) & mask;
      }
      bigger[s] = v;
    }
    return bigger;
  }

  /** A SHA-256 is uniform: its first four bytes are hash enough (the same as {@link ChunkId#hashCode}). */
  private static int hash(ByteBuffer b, int at) {
    return (b.get(at) & 0xff) << 24 | (b.get(at + 1) & 0xff) << 16 | (b.get(at + 2) & 0xff) << 8 | (b.get(at + 3) & 0xff);
  }
}
