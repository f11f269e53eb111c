package dev.smc.transfer.disk;

import static dev.smc.transfer.disk.Disks.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.IntegrityException;
import dev.smc.transfer.disk.DiskLayout.TableType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partition tables made by sgdisk and sfdisk read as sfdisk -J reads them; damage falls back or fails cleanly. */
class PartitionTableTest {
  @TempDir
  Path tmp;

  static DiskLayout layout(Path disk) throws IOException {
    try (DiskReader r = DiskReader.open(disk)) {
      return PartitionTable.read(r);
    }
  }

  static void assertAgreesWithSfdisk(Path disk, DiskLayout l) throws IOException {
    Disks.SfTable sf = Disks.sfdisk(disk);
    assertEquals(sf.label().equals("gpt") ? TableType.GPT : TableType.MBR, l.tableType());
    assertEquals(sf.id(), l.diskId());
    assertEquals(sf.sectorSize(), l.sectorSize());
    assertEquals(sf.partitions().size(), l.partitions().size(), "partitions: " + l.partitions());
    for (int i = 0; i < sf.partitions().size(); i++) {
      Disks.SfPartition s = sf.partitions().get(i);
      Partition p = l.partitions().get(i);
      String what = "partition " + s.number();
      assertEquals(s.number(), p.number(), what);
      assertEquals(s.start(), p.startSector(), what + " start");
      assertEquals(s.size(), p.sectors(), what + " size");
      assertEquals(s.start() * sf.sectorSize(), p.startBytes(), what + " start in bytes");
      assertEquals(s.size() * sf.sectorSize(), p.sizeBytes(), what + " size in bytes");
      assertEquals(s.type(), p.type(), what + " type");
      assertEquals(s.uuid(), p.uuid(), what + " uuid");
      assertEquals(s.name(), p.name(), what + " name");
      assertEquals(s.bootable(), p.bootable(), what + " bootable");
    }
  }

  @Test
  void gptDiskMadeBySgdiskHasThePartitionsSfdiskLists() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    DiskLayout l = layout(disk);
    assertAgreesWithSfdisk(disk, l);
    assertEquals(64 * MIB, l.sizeBytes());
    assertEquals("8C1E62B4-2F2E-4C3B-9E05-6A6B3C2D1E0F", l.diskId());
    assertEquals(List.of(), l.warnings());
    assertEquals(new DiskLayout.GptHeaders(true, true, 64 * MIB / 512 - 1, 34, 64 * MIB / 512 - 34, true), l.gpt());
    assertEquals(List.of("Linux filesystem", "Linux swap", "Linux LVM"),
        l.partitions().stream().map(Partition::typeName).toList());
    assertEquals(List.of(4L, 0L, 0L), l.partitions().stream().map(Partition::attributes).toList(),
        "bit 2 (legacy BIOS bootable) set on partition 1");
    assertEquals(List.of("root", "swap", "lvm pv"), l.partitions().stream().map(Partition::name).toList());
  }

  @Test
  void mbrDiskMadeBySfdiskNumbersLogicalPartitionsFromFiveAlongTheEbrChain() throws IOException,
      InterruptedException {
    Path disk = Disks.mbrDisk(tmp);
    DiskLayout l = layout(disk);
    assertAgreesWithSfdisk(disk, l);
    assertEquals("0x1234abcd", l.diskId());
    assertEquals(List.of(1, 2, 3, 5, 6), l.partitions().stream().map(Partition::number).toList());
    assertEquals(List.of("83", "82", "5", "83", "8e"), l.partitions().stream().map(Partition::type).toList());
    assertEquals(List.of("Linux", "Linux swap", "Extended", "Linux", "Linux LVM"),
        l.partitions().stream().map(Partition::typeName).toList());
    assertTrue(l.partition(3).orElseThrow().isExtended());
    assertFalse(l.partition(5).orElseThrow().isExtended());
    assertEquals(null, l.gpt());
    assertEquals(List.of(), l.warnings());
  }

  @Test
  void damagedPrimaryGptHeaderIsReadFromTheBackupWithAWarning() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    DiskLayout good = layout(disk);
    Disks.writeAt(disk, 512 + 40, new byte[] {0x7f}); // first usable LBA: covered by the header CRC
    DiskLayout l = layout(disk);
    assertEquals(good.partitions(), l.partitions());
    assertEquals(good.diskId(), l.diskId());
    assertFalse(l.gpt().primaryValid());
    assertTrue(l.gpt().backupValid());
    assertEquals(1, l.warnings().size(), l.warnings().toString());
    String w = l.warnings().get(0);
    assertTrue(w.contains("primary GPT is damaged") && w.contains("offset 512") && w.contains("CRC32")
        && w.contains("backup header at offset " + (64 * MIB - 512)), w);
  }

  @Test
  void damagedPrimaryEntriesAreReadFromTheBackupWithAWarning() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    DiskLayout good = layout(disk);
    Disks.writeAt(disk, 1024 + 56, new byte[] {'X'}); // partition 1's name: covered by the entries CRC
    DiskLayout l = layout(disk);
    assertEquals(good.partitions(), l.partitions());
    assertFalse(l.gpt().primaryValid());
    assertTrue(l.warnings().get(0).contains("partition entries at offset 1024"), l.warnings().toString());
  }

  @Test
  void wipedPrimaryHeaderIsReadFromTheBackup() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    DiskLayout good = layout(disk);
    Disks.writeAt(disk, 512, new byte[512]);
    DiskLayout l = layout(disk);
    assertEquals(good.partitions(), l.partitions());
    assertTrue(l.warnings().get(0).contains("no \"EFI PART\" signature"), l.warnings().toString());
  }

  @Test
  void damagedBackupIsReportedAndThePrimaryUsed() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    DiskLayout good = layout(disk);
    Disks.writeAt(disk, 64 * MIB - 512 + 24, new byte[] {1});
    DiskLayout l = layout(disk);
    assertEquals(good.partitions(), l.partitions());
    assertTrue(l.gpt().primaryValid());
    assertFalse(l.gpt().backupValid());
    assertEquals(1, l.warnings().size(), l.warnings().toString());
    assertTrue(l.warnings().get(0).startsWith("the backup GPT is invalid (GPT header at offset " + (64 * MIB - 512)),
        l.warnings().get(0));
  }

  @Test
  void bothGptCopiesDamagedIsAnIntegrityErrorNamingBothOffsets() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    Disks.writeAt(disk, 512 + 40, new byte[] {0x7f});
    Disks.writeAt(disk, 64 * MIB - 512 + 40, new byte[] {0x7f});
    IntegrityException e = assertThrows(IntegrityException.class, () -> layout(disk));
    assertTrue(e.getMessage().contains("no valid GPT") && e.getMessage().contains("offset 512")
        && e.getMessage().contains("offset " + (64 * MIB - 512)), e.getMessage());
  }

  @Test
  void protectiveMbrWithoutAnyGptHeaderIsAnIntegrityError() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    Disks.writeAt(disk, 512, new byte[512]);
    Disks.writeAt(disk, 64 * MIB - 512, new byte[512]);
    IntegrityException e = assertThrows(IntegrityException.class, () -> layout(disk));
    assertTrue(e.getMessage().contains("protective MBR entry (type ee) at offset 446"), e.getMessage());
  }

  @Test
  void mbrPartitionPastTheEndOfTheDiskIsAnIntegrityErrorNamingItsEntry() throws IOException, InterruptedException {
    Path disk = Disks.mbrDisk(tmp);
    ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 200_000);
    Disks.writeAt(disk, 446 + 16 + 12, size.array());
    IntegrityException e = assertThrows(IntegrityException.class, () -> layout(disk));
    assertTrue(e.getMessage().startsWith("MBR entry 2 at offset 462: sectors 34816..234815 are outside 1..131071"),
        e.getMessage());
  }

  @Test
  void ebrChainThatLoopsBackIsAnIntegrityErrorNamingTheEbr() throws IOException, InterruptedException {
    Path disk = Disks.mbrDisk(tmp);
    // the second EBR (the one describing partition 6) links back to the first: relative start 0
    long ebr = findEbrBefore(disk, layout(disk).partition(6).orElseThrow().startSector());
    ByteBuffer link = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    link.put(4, (byte) 5).putInt(8, 0).putInt(12, 2048);
    Disks.writeAt(disk, ebr * 512 + 446 + 16, link.array());
    IntegrityException e = assertThrows(IntegrityException.class, () -> layout(disk));
    assertTrue(e.getMessage().startsWith("EBR at offset " + ebr * 512 + ": link entry at offset "
        + (ebr * 512 + 462) + " points to sector 51200"), e.getMessage());
  }

  /** The EBR sector that describes the logical partition starting at {@code start}. */
  private static long findEbrBefore(Path disk, long start) throws IOException {
    for (long s = start - 1; s > 51200; s--) {
      ByteBuffer b = ByteBuffer.wrap(Disks.readAt(disk, s * 512, 512)).order(ByteOrder.LITTLE_ENDIAN);
      if ((b.getShort(510) & 0xffff) == 0xaa55 && s + Integer.toUnsignedLong(b.getInt(446 + 8)) == start) {
        return s;
      }
    }
    throw new AssertionError("no EBR before sector " + start);
  }

  @Test
  void diskWithoutATableIsNoneWithItsFileSystemFoundAtOffsetZero() throws IOException {
    Path disk = Disks.blank(tmp.resolve("bare.img"), 16 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", "-L", "bare", disk.toString());
    DiskLayout l = layout(disk);
    assertEquals(TableType.NONE, l.tableType());
    assertEquals(List.of(), l.partitions());
    assertEquals("", l.diskId());
    try (DiskReader r = DiskReader.open(disk)) {
      FsInfo fs = FileSystems.detect(r, 0, r.size()).orElseThrow();
      assertEquals(FsType.EXT4, fs.type());
      assertEquals("bare", fs.label());
    }
  }

  @Test
  void zeroedDiskIsNone() throws IOException {
    DiskLayout l = layout(Disks.blank(tmp.resolve("zero.img"), MIB));
    assertEquals(TableType.NONE, l.tableType());
    assertEquals(MIB, l.sizeBytes());
    assertEquals(512, l.sectorSize());
  }
}
