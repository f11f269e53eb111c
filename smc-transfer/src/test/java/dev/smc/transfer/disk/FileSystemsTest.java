package dev.smc.transfer.disk;

import static dev.smc.transfer.disk.Disks.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** File systems made by mke2fs and mkswap, and superblocks written by hand, are named with label, UUID and sizes. */
class FileSystemsTest {
  private static final String UUID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

  @TempDir
  Path tmp;

  private static Optional<FsInfo> detect(Path image, long offset, long size) throws IOException {
    try (DiskReader r = DiskReader.open(image)) {
      return FileSystems.detect(r, offset, size);
    }
  }

  private static Optional<FsInfo> detect(Path image) throws IOException {
    try (DiskReader r = DiskReader.open(image)) {
      return FileSystems.detect(r, 0, r.size());
    }
  }

  /** The value after {@code name:} in {@code dumpe2fs -h}. */
  static long dumpe2fsField(String header, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ":\\s+(\\d+)$").matcher(header);
    if (!m.find()) {
      throw new AssertionError("no '" + name + "' in dumpe2fs -h");
    }
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest(name = "mke2fs -t {0}")
  @ValueSource(strings = {"ext2", "ext3", "ext4"})
  void extFileSystemsAreToldApartByFeatureAndReportTheUsedSizeDumpe2fsReports(String type) throws IOException {
    Path img = Disks.blank(tmp.resolve(type + ".img"), 32 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", type, "-L", "vol-" + type, "-U", UUID, img.toString());
    String h = Disks.run("dumpe2fs", "-h", img.toString());
    long bs = dumpe2fsField(h, "Block size");
    FsInfo fs = detect(img).orElseThrow();
    assertEquals(FsType.valueOf(type.toUpperCase()), fs.type());
    assertEquals("vol-" + type, fs.label());
    assertEquals(UUID, fs.uuid());
    assertEquals(OptionalInt.of((int) bs), fs.blockSize());
    assertEquals(OptionalLong.of(dumpe2fsField(h, "Block count") * bs), fs.sizeBytes());
    assertEquals(OptionalLong.of((dumpe2fsField(h, "Block count") - dumpe2fsField(h, "Free blocks")) * bs),
        fs.usedBytes());
  }

  @Test
  void extFileSystemInsideAPartitionIsFoundAtItsOffset() throws IOException {
    Path disk = Disks.gptDisk(tmp);
    String h = Disks.run("dumpe2fs", "-h", disk + "?offset=" + 2048 * 512);
    FsInfo fs = detect(disk, 2048 * 512, 24 * MIB).orElseThrow();
    assertEquals(new FsInfo(FsType.EXT4, "rootfs", Disks.ROOT_UUID, OptionalInt.of(1024), OptionalLong.of(24 * MIB),
        OptionalLong.of((dumpe2fsField(h, "Block count") - dumpe2fsField(h, "Free blocks")) * 1024)), fs);
    assertEquals(Optional.of(new FsInfo(FsType.SWAP, "sw0", Disks.SWAP_UUID, OptionalInt.of(4096),
        OptionalLong.of(8 * MIB), OptionalLong.empty())), detect(disk, 51200L * 512, 8 * MIB));
    assertEquals(Optional.of(new FsInfo(FsType.LVM2_MEMBER, "", Disks.PV_UUID, OptionalInt.empty(),
        OptionalLong.of(63455L * 512), OptionalLong.empty())), detect(disk, 67584L * 512, 63455L * 512));
  }

  @Test
  void xfsSuperblockGivesLabelUuidAndSize() throws IOException {
    ByteBuffer b = sector();
    b.order(ByteOrder.BIG_ENDIAN);
    b.put(0, ascii("XFSB")).putInt(4, 4096).putLong(8, 4096).put(32, uuidBytes()).put(108, ascii("xfs-data"));
    assertEquals(new FsInfo(FsType.XFS, "xfs-data", UUID, OptionalInt.of(4096), OptionalLong.of(16 * MIB),
        OptionalLong.empty()), detect(image("xfs", b, 0)).orElseThrow());
  }

  @Test
  void btrfsSuperblockAt64KiBGivesLabelUuidAndSize() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0x20, uuidBytes()).put(0x40, ascii("_BHRfS_M")).putLong(0x70, 16 * MIB).putInt(0x90, 4096)
        .put(0x12b, ascii("pool"));
    assertEquals(new FsInfo(FsType.BTRFS, "pool", UUID, OptionalInt.of(4096), OptionalLong.of(16 * MIB),
        OptionalLong.empty()), detect(image("btrfs", b, 0x10000)).orElseThrow());
  }

  @Test
  void fat32BootSectorGivesSerialLabelAndClusterSize() throws IOException {
    ByteBuffer b = fatBootSector();
    b.putInt(32, 32768).put(64 + 2, (byte) 0x29).putInt(67, 0xa1b2c3d4).put(71, ascii("EFI        "))
        .put(82, ascii("FAT32   "));
    assertEquals(new FsInfo(FsType.VFAT, "EFI", "A1B2-C3D4", OptionalInt.of(4096), OptionalLong.of(16 * MIB),
        OptionalLong.empty()), detect(image("fat32", b, 0)).orElseThrow());
  }

  @Test
  void fat16BootSectorWithoutALabelGivesAnEmptyLabel() throws IOException {
    ByteBuffer b = fatBootSector();
    b.putShort(19, (short) 20000).put(38, (byte) 0x29).putInt(39, 0x00010002).put(43, ascii("NO NAME    "))
        .put(54, ascii("FAT16   "));
    assertEquals(new FsInfo(FsType.VFAT, "", "0001-0002", OptionalInt.of(4096), OptionalLong.of(20000 * 512L),
        OptionalLong.empty()), detect(image("fat16", b, 0)).orElseThrow());
  }

  @Test
  void ntfsBootSectorGivesSerialAndClusterSize() throws IOException {
    ByteBuffer b = sector();
    b.put(3, ascii("NTFS    ")).putShort(11, (short) 512).put(13, (byte) 8).putLong(0x28, 32767)
        .putLong(0x48, 0x0123456789abcdefL).putShort(510, (short) 0xaa55);
    assertEquals(new FsInfo(FsType.NTFS, "", "0123456789ABCDEF", OptionalInt.of(4096), OptionalLong.of(32767 * 512L),
        OptionalLong.empty()), detect(image("ntfs", b, 0)).orElseThrow());
  }

  @Test
  void fatOrNtfsBootSectorIsNotTakenForAnMbr() throws IOException {
    ByteBuffer b = fatBootSector();
    b.putInt(32, 32768).put(82, ascii("FAT32   "));
    assertEquals(DiskLayout.TableType.NONE, PartitionTableTest.layout(image("fat-not-mbr", b, 0)).tableType());
  }

  @Test
  void magicWithNonsenseAroundItIsNoFileSystem() throws IOException {
    Path img = Disks.blank(tmp.resolve("bad-ext.img"), 8 * MIB);
    Disks.run("mke2fs", "-q", "-F", "-t", "ext4", img.toString());
    Disks.writeAt(img, 1024 + 0x18, new byte[] {40}); // log2(block size) - 10
    assertEquals(Optional.empty(), detect(img));
    ByteBuffer b = sector();
    b.order(ByteOrder.BIG_ENDIAN).put(0, ascii("XFSB")).putInt(4, 1000).putLong(8, 4096);
    assertEquals(Optional.empty(), detect(image("bad-xfs", b, 0)));
  }

  @Test
  void emptyOrTinyRegionsHoldNoFileSystemAndRegionsOutsideTheDiskAreRefused() throws IOException {
    Path img = Disks.blank(tmp.resolve("zero.img"), MIB);
    assertEquals(Optional.empty(), detect(img));
    assertEquals(Optional.empty(), detect(img, 4096, 0));
    assertEquals(Optional.empty(), detect(img, MIB - 100, 100));
    try (DiskReader r = DiskReader.open(img)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> FileSystems.detect(r, MIB - 100, 101));
      assertTrue(e.getMessage().contains("offset " + (MIB - 100)), e.getMessage());
    }
  }

  @Test
  void randomBytesAroundEachMagicGiveAFileSystemOrNoneButNeverAnotherError() throws IOException {
    String[][] magics = {{"3", "NTFS    "}, {"82", "FAT32   "}, {"54", "FAT16   "}, {"0", "XFSB"}, {"1080", "S\u00ef"},
        {"65600", "_BHRfS_M"}, {"4086", "SWAPSPACE2"}, {"512", "LABELONE"}};
    Path img = tmp.resolve("fuzz.img");
    int found = 0;
    for (int seed = 0; seed < 400; seed++) {
      Random rnd = new Random(seed);
      byte[] b = new byte[0x11000];
      rnd.nextBytes(b);
      String[] m = magics[seed % magics.length];
      byte[] magic = m[1].getBytes(StandardCharsets.ISO_8859_1);
      System.arraycopy(magic, 0, b, Integer.parseInt(m[0]), magic.length);
      if (m[1].equals("LABELONE")) {
        System.arraycopy(ascii("LVM2 001"), 0, b, 512 + 24, 8);
      }
      if (rnd.nextBoolean()) {
        b[510] = 0x55;
        b[511] = (byte) 0xaa;
      }
      Files.write(img, b);
      try {
        found += detect(img).isPresent() ? 1 : 0;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " (" + m[1].trim() + "): " + e, e);
      }
    }
    assertTrue(found >= 400 / magics.length, found + " of 400 found: at least every swap signature");
  }

  private static ByteBuffer sector() {
    return ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A FAT boot sector's common fields: 512-byte sectors, 8 per cluster, 32 reserved, 2 FATs, media 0xf8. */
  private static ByteBuffer fatBootSector() {
    ByteBuffer b = sector();
    b.put(0, new byte[] {(byte) 0xeb, 0x58, (byte) 0x90}).put(3, ascii("mkfs.fat")).putShort(11, (short) 512)
        .put(13, (byte) 8).putShort(14, (short) 32).put(16, (byte) 2).put(21, (byte) 0xf8)
        .putShort(510, (short) 0xaa55);
    return b;
  }

  /** A 16 MiB image holding {@code content} at {@code offset}. */
  private Path image(String name, ByteBuffer content, long offset) throws IOException {
    Path img = Disks.blank(tmp.resolve(name + ".img"), 16 * MIB);
    Disks.writeAt(img, offset, content.array());
    return img;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] uuidBytes() {
    return HexFormat.of().parseHex(UUID.replace("-", ""));
  }
}
