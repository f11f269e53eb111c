package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import dev.smc.transfer.codec.Codec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact chunk table: lookups, first entry wins, its file form, and damage to it. */
class ChunkTableTest {
  private static ChunkId id(Random r) {
    byte[] b = new byte[ChunkId.LENGTH];
    r.nextBytes(b);
    return ChunkId.of(b);
  }

  private static String pack(int n) {
    return HexFormat.of().formatHex(Hashing.sha256(new byte[] {(byte) n, (byte) (n >> 8)}, 0, 2));
  }

  /** {@code packs} packs of {@code perPack} entries each, random ids. */
  private static Map<String, List<PackFormat.Entry>> packs(Random r, int packs, int perPack) {
    Map<String, List<PackFormat.Entry>> out = new LinkedHashMap<>();
    for (int p = 0; p < packs; p++) {
      List<PackFormat.Entry> es = new ArrayList<>();
      for (int i = 0; i < perPack; i++) {
        es.add(new PackFormat.Entry(id(r), i % 2 == 0 ? BlobType.DATA : BlobType.TREE,
            i % 3 == 0 ? Codec.ZSTD : Codec.NONE, i * 100, 90 + i % 7, 4096));
      }
      out.put(pack(p), es);
    }
    return out;
  }

  private static void assertHoldsAll(ChunkTable t, Map<String, List<PackFormat.Entry>> packs) {
    packs.forEach((pack, es) -> {
      for (PackFormat.Entry e : es) {
        assertEquals(e.at(pack), t.get(e.id()), "location of " + e.id());
      }
    });
  }

  @Test
  void findsEveryEntryOfALargeTableAndNothingElse() {
    Random r = new Random(1);
    Map<String, List<PackFormat.Entry>> packs = packs(r, 40, 2000); // 80,000: built on all cores
    ChunkTable t = ChunkTable.build(ChunkTable.parts(packs));
    assertEquals(80_000, t.size());
    assertHoldsAll(t, packs);
    for (int i = 0; i < 1000; i++) {
      assertFalse(t.contains(id(r)));
    }
  }

  @Test
  void theFirstEntryOfAnIdWinsAndDuplicatesAreNotCounted() {
    Random r = new Random(2);
    Map<String, List<PackFormat.Entry>> first = packs(r, 3, 50);
    Map<String, List<PackFormat.Entry>> again = new LinkedHashMap<>();
    first.forEach((pack, es) -> again.put(pack(1000 + again.size()), es)); // the same chunks in other packs
    List<ChunkTable.Part> parts = new ArrayList<>(ChunkTable.parts(first));
    parts.addAll(ChunkTable.parts(again));
    ChunkTable t = ChunkTable.build(parts);
    assertEquals(150, t.size());
    assertHoldsAll(t, first);
  }

  @Test
  void aWrittenTableReadsBackTheSameAndDamageIsDetected() throws Exception {
    Random r = new Random(3);
    Map<String, List<PackFormat.Entry>> packs = packs(r, 5, 300);
    ChunkTable t = ChunkTable.build(ChunkTable.parts(packs));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.write(Channels.newChannel(out));
    byte[] bytes = out.toByteArray();

    ChunkTable back = ChunkTable.read(ByteBuffer.wrap(bytes));
    assertEquals(t.size(), back.size());
    assertHoldsAll(back, packs);
    assertNull(back.get(id(r)));

    for (int at : new int[] {0, 20, bytes.length / 2, bytes.length - 20, bytes.length - 1}) {
      byte[] bad = bytes.clone();
      bad[at] ^= 0x10;
      assertThrows(IntegrityException.class, () -> ChunkTable.read(ByteBuffer.wrap(bad)), "damage at " + at);
    }
    assertThrows(IntegrityException.class, () -> ChunkTable.read(ByteBuffer.wrap(bytes, 0, bytes.length - 9)));
  }

  @Test
  void aDamagedEntryIsReportedWhenItIsUsed() {
    Random r = new Random(4);
    ChunkId id = id(r);
    ByteBuffer b = ByteBuffer.allocate(PackFormat.ENTRY).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    PackFormat.writeEntry(b, new PackFormat.Entry(id, BlobType.DATA, Codec.NONE, 0, 10, 10));
    b.putInt(6, -5); // stored length
    ChunkTable t = ChunkTable.build(List.of(new ChunkTable.Part(pack(1), b.flip(), 1)));
    assertTrue(t.contains(id));
    IntegrityException e = assertThrows(IntegrityException.class, () -> t.get(id));
    assertTrue(e.getMessage().contains(id.toString()) && e.getMessage().contains("damaged"), e.getMessage());
  }
}
