package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An index file: which chunks each listed pack holds, so a writer knows what is stored and a
 * reader where, without opening packs. Named by the SHA-256 of its bytes:
 * <pre>
 * "SMCIDX01" | pack count u32 | per pack: pack id 32 bytes | count u32 | count x pack entry
 * </pre>
 */
final class IndexFormat {
  private static final byte[] MAGIC = "SMCIDX01".getBytes(StandardCharsets.US_ASCII);

  private IndexFormat() {}

  static ByteBuffer encode(Map<String, List<PackFormat.Entry>> packs) {
    int size = MAGIC.length + 4;
    for (List<PackFormat.Entry> es : packs.values()) {
      size += 32 + 4 + es.size() * PackFormat.ENTRY;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(packs.size());
    for (var e : packs.entrySet()) {
      b.put(HexFormat.of().parseHex(e.getKey())).putInt(e.getValue().size());
      for (PackFormat.Entry en : e.getValue()) {
        PackFormat.writeEntry(b, en);
      }
    }
    return b.flip();
  }

  /** Receives one pack's entries from {@link #scan}. */
  interface PackEntries {
    /** {@code entries} holds {@code count} entries in {@link PackFormat} form, little-endian, not yet checked. */
    void pack(String pack, ByteBuffer entries, int count);
  }

  /**
   * Hands each pack's entries of an index file to {@code out} as bytes, without an object per entry
   * (a large repository has millions); the file's structure is checked, the entries' fields are not
   * ({@link PackFormat#readEntry} and {@link ChunkTable} check them where they are used).
   */
  static void scan(ByteBuffer in, String name, PackEntries out) {
    ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    try {
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IntegrityException("index " + name + ": not an index file (bad magic)");
      }
      int packs = b.getInt();
      byte[] id = new byte[ChunkId.LENGTH];
      for (int p = 0; p < packs; p++) {
        b.get(id);
        int n = b.getInt();
        if (n < 0 || (long) n * PackFormat.ENTRY > b.remaining()) {
          throw new IntegrityException("index " + name + ": pack " + p + " claims " + n + " entries");
        }
        ByteBuffer entries = b.slice(b.position(), n * PackFormat.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        b.position(b.position() + n * PackFormat.ENTRY);
        out.pack(HexFormat.of().formatHex(id), entries, n);
      }
      if (b.hasRemaining()) {
        throw new IntegrityException("index " + name + ": " + b.remaining() + " trailing bytes");
      }
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IntegrityException("index " + name + ": truncated or damaged", e);
    }
  }

  static Map<String, List<PackFormat.Entry>> decode(ByteBuffer in, String name) {
    Map<String, List<PackFormat.Entry>> out = new LinkedHashMap<>();
    scan(in, name, (pack, entries, n) -> {
      List<PackFormat.Entry> es = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        es.add(PackFormat.readEntry(entries));
      }
      out.put(pack, es);
    });
    return out;
  }
}
