package dev.smc.transfer.disk;

import static dev.smc.transfer.disk.Disks.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image files and block devices are read by position; sizes and sector sizes come from the channel or sysfs. */
class DiskReaderTest {
  @TempDir
  Path tmp;

  @Test
  void imageFileIsReadByPositionWithItsSizeAnd512ByteSectors() throws IOException {
    Path img = Disks.blank(tmp.resolve("a.img"), 3 * MIB + 7);
    Disks.writeAt(img, 2 * MIB + 3, "hello".getBytes(StandardCharsets.US_ASCII));
    try (DiskReader r = DiskReader.open(img)) {
      assertEquals(3 * MIB + 7, r.size());
      assertEquals(512, r.logicalSectorSize());
      assertFalse(r.isBlockDevice());
      ByteBuffer b = r.read(2 * MIB + 3, 5);
      assertEquals("hello", StandardCharsets.US_ASCII.decode(b).toString());
      assertEquals(0, r.read(3 * MIB, 7).get(6));
    }
  }

  @Test
  void readPastTheEndIsAnEofNamingTheOffset() throws IOException {
    Path img = Disks.blank(tmp.resolve("a.img"), MIB);
    try (DiskReader r = DiskReader.open(img)) {
      EOFException e = assertThrows(EOFException.class, () -> r.read(MIB - 10, 11));
      assertTrue(e.getMessage().contains("11 bytes at offset " + (MIB - 10)), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> r.read(-1, 1));
    }
  }

  @Test
  void folderFifoAndMissingPathAreRefusedWithoutBlocking() throws IOException {
    assertTrue(assertThrows(FileSystemException.class, () -> DiskReader.open(tmp)).getMessage().contains("a folder"));
    Path fifo = tmp.resolve("fifo");
    Disks.run("mkfifo", fifo.toString());
    assertTrue(assertThrows(FileSystemException.class, () -> DiskReader.open(fifo)).getMessage()
        .contains("neither a regular file nor a block device"));
    assertThrows(IOException.class, () -> DiskReader.open(tmp.resolve("missing")));
  }

  @Test
  void sysfsGivesADeviceSizeIn512ByteUnitsAndAPartitionTheSectorSizeOfItsDisk() throws IOException {
    Path sys = tmp.resolve("sys");
    Path block = Files.createDirectories(sys.resolve("class/block"));
    Path sda = Files.createDirectories(sys.resolve("devices/sda"));
    Files.createDirectories(sda.resolve("queue"));
    Files.createDirectories(sda.resolve("sda1"));
    Files.writeString(sda.resolve("size"), "1953525168\n");
    Files.writeString(sda.resolve("queue/logical_block_size"), "4096\n");
    Files.writeString(sda.resolve("sda1/size"), "2048\n");
    Files.createSymbolicLink(block.resolve("sda"), Path.of("../../devices/sda"));
    Files.createSymbolicLink(block.resolve("sda1"), Path.of("../../devices/sda/sda1"));
    assertEquals(1953525168L * 512, DiskReader.sysfsSize(block, "sda"));
    assertEquals(MIB, DiskReader.sysfsSize(block, "sda1"));
    assertEquals(4096, DiskReader.sysfsLogicalSectorSize(block, "sda"));
    assertEquals(4096, DiskReader.sysfsLogicalSectorSize(block, "sda1"));
    assertEquals(512, DiskReader.sysfsLogicalSectorSize(block, "nvme9n1"));
    Files.writeString(sda.resolve("size"), "lots\n");
    assertTrue(assertThrows(IOException.class, () -> DiskReader.sysfsSize(block, "sda")).getMessage()
        .contains("'lots' is not a size"));
  }

  /** Needs root and a free loop device; skipped where there is none. */
  @Test
  void loopDeviceWith4096ByteSectorsReadsAsSfdiskReadsIt() throws IOException {
    Path img = Disks.blank(tmp.resolve("4k.img"), 64 * MIB);
    String dev;
    try {
      dev = Disks.run("losetup", "--sector-size", "4096", "--find", "--show", img.toString()).trim();
    } catch (IOException e) {
      assumeTrue(false, "no loop device: " + e.getMessage());
      return;
    }
    try {
      Disks.run("sgdisk", "-n", "1:256:+16M", "-t", "1:8300", "-c", "1:data", "-n", "2:0:0", "-t", "2:8200", dev);
      Disks.SfTable sf = Disks.sfdisk(Path.of(dev));
      assertEquals(4096, sf.sectorSize());
      try (DiskReader r = DiskReader.open(Path.of(dev))) {
        assertTrue(r.isBlockDevice());
        assertEquals(64 * MIB, r.size());
        assertEquals(4096, r.logicalSectorSize());
        PartitionTableTest.assertAgreesWithSfdisk(Path.of(dev), PartitionTable.read(r));
      }
      // the image file itself has no sector size; its GPT header at byte 4096 tells it
      DiskLayout fromFile = PartitionTableTest.layout(img);
      assertEquals(4096, fromFile.sectorSize());
      assertEquals(256, fromFile.partition(1).orElseThrow().startSector());
      assertEquals(MIB, fromFile.partition(1).orElseThrow().startBytes());
      assertEquals(16 * MIB, fromFile.partition(1).orElseThrow().sizeBytes());
    } finally {
      Disks.run("losetup", "-d", dev);
    }
  }
}
