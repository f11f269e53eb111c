package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block tree's records: written and read back, version 1 still read, damage reported. */
class BlockTreeTest {
  private static final int BLOCKS = 3000;

  /** Slots for {@link #BLOCKS} blocks: holes, hashed blocks and id-only blocks, at random. */
  private static byte[] slots(Random r, boolean withFingerprints) {
    byte[] s = new byte[BLOCKS * BlockTree.SLOT];
    for (int i = 0; i < BLOCKS; i++) {
      int kind = r.nextInt(3);
      if (kind == 0) {
        continue;
      }
      int at = i * BlockTree.SLOT;
      s[at] = kind == 1 && withFingerprints ? BlockTree.HASHED : BlockTree.ID_ONLY;
      byte[] body = new byte[BlockTree.SLOT - 1];
      r.nextBytes(body);
      int len = s[at] == BlockTree.HASHED ? body.length : ChunkId.LENGTH;
      System.arraycopy(body, 0, s, at + 1, len);
    }
    return s;
  }

  private static byte[] write(byte[] slots) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BlockTree.Writer w = new BlockTree.Writer((b, off, len) -> out.write(b, off, len), 4096, BLOCKS * 4096L);
    for (int i = 0; i < BLOCKS; i++) {
      w.record(slots, i * BlockTree.SLOT);
    }
    w.finish();
    return out.toByteArray();
  }

  @Test
  void recordsReadBackAsWrittenInPiecesOfAnySize() throws Exception {
    byte[] slots = slots(new Random(1), true);
    byte[] stream = write(slots);
    try (BlockTree.Reader r = new BlockTree.Reader(new ByteArrayInputStream(stream))) {
      assertEquals(4096, r.blockSize());
      assertEquals(BLOCKS, r.blocks());
      byte[] back = new byte[slots.length];
      r.read(back, 0, 1000);
      r.read(back, 1000 * BlockTree.SLOT, BLOCKS - 1000);
      assertArrayEquals(slots, back);
      assertThrows(IntegrityException.class, () -> r.read(new byte[BlockTree.SLOT], 0, 1));
    }
  }

  @Test
  void aVersion1TreeReadsAsIdsWithoutFingerprints() throws Exception {
    byte[] slots = slots(new Random(2), false);
    byte[] stream = write(slots);
    // version 1: the old magic, and kind 1 followed by the id alone
    System.arraycopy(BlockTree.MAGIC_V1, 0, stream, 0, BlockTree.MAGIC_V1.length);
    for (int i = BlockTree.HEADER; i < stream.length; ) {
      if (stream[i] == BlockTree.ID_ONLY) {
        stream[i] = BlockTree.HASHED;
        i += 1 + ChunkId.LENGTH;
      } else {
        i++;
      }
    }
    try (BlockTree.Reader r = new BlockTree.Reader(new ByteArrayInputStream(stream))) {
      byte[] back = new byte[slots.length];
      r.read(back, 0, BLOCKS);
      assertArrayEquals(slots, back);
    }
    try (BlockTree.Reader r = new BlockTree.Reader(new ByteArrayInputStream(stream))) {
      for (int i = 0; i < BLOCKS; i++) {
        ChunkId id = r.next();
        if (slots[i * BlockTree.SLOT] == BlockTree.HOLE) {
          assertNull(id);
        } else {
          assertEquals(ChunkId.of(slots, i * BlockTree.SLOT + BlockTree.ID), id);
        }
      }
    }
  }

  @Test
  void aDamagedOrShortTreeIsReportedWithTheBlock() throws Exception {
    byte[] stream = write(slots(new Random(3), true));
    byte[] bad = stream.clone();
    bad[BlockTree.HEADER] = 7;
    try (BlockTree.Reader r = new BlockTree.Reader(new ByteArrayInputStream(bad))) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> r.read(new byte[BlockTree.SLOT], 0, 1));
      assertEquals("block image tree is damaged at block 0", e.getMessage());
    }
    byte[] shortStream = java.util.Arrays.copyOf(stream, stream.length - 10);
    try (BlockTree.Reader r = new BlockTree.Reader(new ByteArrayInputStream(shortStream))) {
      assertThrows(IntegrityException.class, () -> r.read(new byte[BLOCKS * BlockTree.SLOT], 0, BLOCKS));
    }
    byte[] noMagic = stream.clone();
    noMagic[0] = 'X';
    assertThrows(IntegrityException.class, () -> new BlockTree.Reader(new ByteArrayInputStream(noMagic)));
  }
}
