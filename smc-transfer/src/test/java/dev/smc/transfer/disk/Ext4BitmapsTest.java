package dev.smc.transfer.disk;

import static dev.smc.transfer.disk.Disks.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Used blocks read from ext2/3/4 bitmaps match dumpe2fs, block by block, for every layout mke2fs makes. */
class Ext4BitmapsTest {
  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  private static Path content;
  private static Path small;

  @BeforeAll
  static void someFiles() throws IOException {
    content = shared.resolve("content");
    Random rnd = new Random(3);
    for (int d = 0; d < 6; d++) {
      Path dir = Files.createDirectories(content.resolve("dir" + d));
      for (int f = 0; f < 25; f++) {
        byte[] b = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(2 << 20) : rnd.nextInt(20_000)];
        rnd.nextBytes(b);
        Files.write(dir.resolve("f" + f), b);
      }
    }
    small = Files.createDirectories(shared.resolve("small/etc"));
    for (int f = 0; f < 40; f++) {
      byte[] b = new byte[rnd.nextInt(100_000)];
      rnd.nextBytes(b);
      Files.write(small.resolve("f" + f), b);
    }
    small = small.getParent();
  }

  private static Dumpe2fs dumpe2fs(String device) throws IOException {
    return Dumpe2fs.of(device);
  }

  private static Ext4Bitmaps bitmaps(Path disk, long offset, long size) throws IOException {
    try (DiskReader r = DiskReader.open(disk)) {
      return Ext4Bitmaps.read(r, offset, size);
    }
  }

  private static void assertMatches(Dumpe2fs d, Ext4Bitmaps bm) {
    assertEquals(d.blocks(), bm.blockCount());
    assertEquals(d.blockSize(), bm.blockSize());
    assertEquals(d.blocks() - d.freeBlocks(), bm.usedBlocks(), "dumpe2fs -h: Block count - Free blocks");
    assertEquals(List.of(), bm.warnings());
    long mismatches = 0;
    String first = "";
    for (long b = 0; b < d.blocks(); b++) {
      if (bm.isUsed(b) == d.free().get((int) b)) {
        if (mismatches++ == 0) {
          first = "block " + b + ": dumpe2fs says " + (d.free().get((int) b) ? "free" : "used");
        }
      }
    }
    assertEquals(0, mismatches, first);
    long prevEnd = -1;
    long inExtents = 0;
    for (Ext4Bitmaps.Extent e : bm.usedExtents()) {
      assertTrue(e.firstBlock() > prevEnd, "extents in order and maximal: " + e + " after end " + prevEnd);
      assertTrue(bm.isUsed(e.firstBlock()) && bm.isUsed(e.endBlock() - 1), e.toString());
      assertTrue(e.endBlock() == d.blocks() || !bm.isUsed(e.endBlock()), e.toString());
      inExtents += e.blocks();
      prevEnd = e.endBlock();
    }
    assertEquals(bm.usedBlocks(), inExtents);
  }

  @ParameterizedTest(name = "mke2fs {0}")
  @ValueSource(strings = {
      "-t ext4",
      "-t ext4 -b 4096",
      "-t ext4 -O ^64bit,^metadata_csum,uninit_bg",
      "-t ext4 -O ^flex_bg",
      "-t ext4 -b 4096 -O meta_bg,^resize_inode",
      "-t ext4 -O sparse_super2",
      "-t ext4 -O bigalloc -C 16384",
      "-t ext3",
      "-t ext2 -b 2048"})
  void usedBlocksOfA256MiBFileSystemMatchDumpe2fsBlockByBlock(String options) throws IOException {
    Path img = Disks.blank(tmp.resolve("fs.img"), 256 * MIB);
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", content.toString(), img.toString()));
    Disks.run(cmd.toArray(String[]::new));
    Dumpe2fs d = dumpe2fs(img.toString());
    assertTrue(d.blocks() - d.freeBlocks() > 12 * MIB / d.blockSize(), "the files take room");
    assertMatches(d, bitmaps(img, 0, 256 * MIB));
  }

  @Test
  void fileSystemInsideAPartitionIsReadAtItsOffset() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", small.toString(), "-E", "offset=" + 2048 * 512,
        disk.toString(), "24M");
    Dumpe2fs d = dumpe2fs(disk + "?offset=" + 2048 * 512);
    assertMatches(d, bitmaps(disk, 2048 * 512, 24 * MIB));
  }

  @Test
  void blockUninitGroupWhoseFreeCountDisagreesWithItsMetadataIsTreatedAsUsed() throws IOException {
    Path img = Disks.blank(tmp.resolve("fs.img"), 256 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", img.toString());
    String groups = Disks.run("dumpe2fs", img.toString());
    assertTrue(groups.contains("Group 2: (Blocks 16385-24576) csum 0x") && groups.lines()
        .filter(l -> l.startsWith("Group 2:")).findFirst().orElseThrow().contains("BLOCK_UNINIT"), "group 2 uninit");
    Ext4Bitmaps before = bitmaps(img, 0, 256 * MIB);
    assertTrue(!before.isUsed(16385) && !before.isUsed(24576));
    // group 2's descriptor: descriptors start at block 2 (1 KiB blocks), 64 bytes each; free count at +0xc
    ByteBuffer free = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 8000);
    Disks.writeAt(img, 2048 + 2 * 64 + 0xc, free.array());
    Ext4Bitmaps after = bitmaps(img, 0, 256 * MIB);
    assertTrue(after.isUsed(16385) && after.isUsed(24576));
    assertEquals(before.usedBlocks() + 8192, after.usedBlocks());
    assertTrue(after.warnings().get(0).startsWith("group 2 (BLOCK_UNINIT): its metadata takes 0 of 8192 clusters"
        + " but its descriptor says 8000 are free; treated the whole group as used"), after.warnings().toString());
  }

  @Test
  void blockBitmapOutsideTheFileSystemIsAnIntegrityErrorNamingTheDescriptor() throws IOException {
    Path img = Disks.blank(tmp.resolve("fs.img"), 64 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", img.toString());
    // group 0's descriptor (1 KiB blocks: descriptors from block 2): block bitmap at +0
    Disks.writeAt(img, 2048, new byte[] {(byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0x7f});
    IntegrityException e = assertThrows(IntegrityException.class, () -> bitmaps(img, 0, 64 * MIB));
    assertTrue(e.getMessage().startsWith("group 0 descriptor at offset 2048: block bitmap at block 2147483632, "
        + "outside the file system's 1..65535"), e.getMessage());
  }

  @Test
  void randomBytesInTheGroupDescriptorsGiveBitmapsOrAnIntegrityErrorButNeverAnotherError() throws IOException {
    Path img = Disks.blank(tmp.resolve("fs.img"), 32 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", "-d", small.toString(), img.toString());
    byte[] clean = Disks.readAt(img, 0, 8192);
    int errors = 0;
    for (int seed = 0; seed < 150; seed++) {
      Random rnd = new Random(seed);
      byte[] b = clean.clone();
      // group descriptors: block 2 on (1 KiB blocks); hit them, and sometimes the superblock
      for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
        int at = rnd.nextInt(10) == 0 ? 1024 + rnd.nextInt(1024) : 2048 + rnd.nextInt(4 * 64);
        b[at] = (byte) rnd.nextInt(256);
      }
      Disks.writeAt(img, 0, b);
      try {
        Ext4Bitmaps bm = bitmaps(img, 0, 32 * MIB);
        long n = 0;
        for (Ext4Bitmaps.Extent e : bm.usedExtents()) {
          n += e.blocks();
        }
        assertEquals(bm.usedBlocks(), n, "seed " + seed);
      } catch (IntegrityException e) {
        assertTrue(e.getMessage().contains("offset"), "seed " + seed + ": " + e.getMessage());
        errors++;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e, e);
      }
    }
    assertTrue(errors > 10, errors + " of 150 were errors");
  }

  @Test
  void fileSystemLargerThanItsPartitionOrNotExtIsAnIntegrityError() throws IOException {
    Path img = Disks.blank(tmp.resolve("fs.img"), 16 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", img.toString());
    IntegrityException e = assertThrows(IntegrityException.class, () -> bitmaps(img, 0, 8 * MIB));
    assertTrue(e.getMessage().contains("exceed the " + 8 * MIB + " bytes it lies in"), e.getMessage());
    Disks.writeAt(img, 1024 + 0x38, new byte[2]);
    e = assertThrows(IntegrityException.class, () -> bitmaps(img, 0, 16 * MIB));
    assertEquals("ext superblock at offset 1024: no magic 0xEF53", e.getMessage());
  }
}
