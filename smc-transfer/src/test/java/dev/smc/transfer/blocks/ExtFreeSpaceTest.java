package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.disk.Dumpe2fs;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Free-space skipping for every ext2/3/4 layout mke2fs makes (issue #12, item 11): 1, 2, 4 and 64 KiB blocks,
 * 32- and 64-byte descriptors, with and without flex_bg, BLOCK_UNINIT groups, meta_bg, bigalloc; alone (as a
 * partition read as {@code /dev/sda1}) or in a GPT partition that starts at an odd sector. Free blocks hold old
 * data (the image is random bytes before mke2fs, and files are deleted after), so a free block that was read and
 * stored would show; {@code dumpe2fs} is the witness of which blocks are free.
 */
class ExtFreeSpaceTest {
  private static final int MIB = 1 << 20;
  private static final int BS = 4096;
  private static final long FS_BYTES = 48L * MIB;
  /** Sector 2049: a partition start that is no multiple of 4 KiB. */
  private static final long ODD_START = 2049 * 512L;

  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  private static Path content;
  private static final List<String> deleted = new ArrayList<>();

  @BeforeAll
  static void files() throws IOException {
    content = shared.resolve("content");
    SplittableRandom rnd = new SplittableRandom(12);
    for (int d = 0; d < 4; d++) {
      Path dir = Files.createDirectories(content.resolve("d" + d));
      for (int f = 0; f < 12; f++) {
        byte[] b = new byte[rnd.nextInt(4) == 0 ? 300_000 + rnd.nextInt(900_000) : rnd.nextInt(30_000)];
        rnd.nextBytes(b);
        Files.write(dir.resolve("f" + f), b);
        if (f % 3 == 1) {
          deleted.add("d" + d + "/f" + f);
        }
      }
    }
  }

  @ParameterizedTest(name = "mke2fs {0}, {1}")
  @CsvSource(delimiter = '|', value = {
      "-t ext4 -b 1024 | alone",
      "-t ext4 -b 1024 | odd partition",
      "-t ext4 -b 2048 | alone",
      "-t ext4 -b 4096 | alone",
      "-t ext4 -b 4096 | odd partition",
      "-t ext4 -b 65536 | alone",
      "-t ext4 -b 4096 -O ^64bit,^flex_bg | alone",
      "-t ext4 -b 1024 -O ^64bit,^metadata_csum,uninit_bg | alone",
      "-t ext4 -b 1024 -O meta_bg,^resize_inode | odd partition",
      "-t ext4 -b 1024 -O bigalloc -C 4096 | alone",
      "-t ext3 -b 1024 | alone",
      "-t ext2 -b 2048 | odd partition"})
  void freeBlocksAreNeitherReadNorStoredAndTheRestoredFileSystemHoldsEveryFile(String mke2fs, String layout)
      throws Exception {
    boolean alone = layout.equals("alone");
    long start = alone ? 0 : ODD_START;
    Path disk = tmp.resolve("disk.img");
    long diskSize = alone ? FS_BYTES : start + FS_BYTES + MIB;
    byte[] junk = new byte[(int) diskSize];
    new SplittableRandom(7).nextBytes(junk);
    Files.write(disk, junk);
    String fs = alone ? disk.toString() : disk + "?offset=" + start;
    if (!alone) {
      Tools.run("sgdisk", "-a", "1", "-n", "1:2049:+48M", "-t", "1:8300", disk.toString());
    }
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(mke2fs.split(" ")));
    cmd.addAll(List.of("-E", "nodiscard" + (alone ? "" : ",offset=" + start), "-d", content.toString(),
        disk.toString(), FS_BYTES / 1024 + "k"));
    Tools.run(cmd.toArray(String[]::new));
    Path rm = tmp.resolve("rm.cmds");
    Files.write(rm, deleted.stream().map(f -> "rm /" + f).toList());
    Tools.run("debugfs", "-w", "-f", rm.toString(), fs);
    Dumpe2fs d = Dumpe2fs.of(fs);
    byte[] src = Files.readAllBytes(disk);
    boolean[] skippable = skippable(d, start, diskSize);
    long expectFree = 0;
    for (boolean b : skippable) {
      expectFree += b ? 1 : 0;
    }
    assertTrue(expectFree * BS > 12L * MIB, expectFree + " of our blocks are free");

    try (Repository repo = Repository.open(new InMemoryBackend())) {
      CycleReport c = BlockMigration.builder().build().run(repo, disk, "disk", TransferOptions.DEFAULTS);
      assertEquals(expectFree, c.details().get("blocksFree"), "our blocks wholly inside free ones (dumpe2fs)");
      assertEquals(unskippedWindowBytes(skippable, diskSize), c.bytesRead(), "only windows with a used block read");
      assertTrue(c.bytesStored() <= diskSize - expectFree * BS + MIB, "stored " + c.bytesStored());

      Path out = tmp.resolve("out.img");
      new BlockRestore().restore(repo, c.image(), out);
      String restored = alone ? out.toString() : out + "?offset=" + start;
      Tools.run("e2fsck", "-fn", restored); // fails the test unless clean
      byte[] back = Files.readAllBytes(out);
      for (int j = 0; j < skippable.length; j++) {
        if (skippable[j]) {
          assertArrayEquals(new byte[BS], slice(back, (long) j * BS, BS), "free block " + j + " restores as zeros");
        }
      }
      for (long b = 0; b < d.blocks(); b++) {
        if (!d.free().get((int) b)) {
          long at = start + b * d.blockSize();
          assertArrayEquals(slice(src, at, d.blockSize()), slice(back, at, d.blockSize()),
              "used file-system block " + b);
        }
      }
      Path dump = Files.createDirectories(tmp.resolve("dump"));
      Tools.run("debugfs", "-R", "rdump / " + dump, restored);
      assertEquals(expectedFiles(), files(dump), "every file not deleted, with its content");
    }
  }

  /** Our 4 KiB blocks whose every byte lies in blocks dumpe2fs calls free. */
  private static boolean[] skippable(Dumpe2fs d, long start, long diskSize) {
    boolean[] out = new boolean[(int) (diskSize / BS)];
    long fsEnd = start + d.blocks() * d.blockSize();
    for (long j = (start + BS - 1) / BS; (j + 1) * BS <= fsEnd; j++) {
      long first = (j * BS - start) / d.blockSize();
      long last = ((j + 1) * BS - 1 - start) / d.blockSize();
      boolean free = true;
      for (long b = first; b <= last && free; b++) {
        free = d.free().get((int) b);
      }
      out[(int) j] = free;
    }
    return out;
  }

  /** The bytes of the 256 KiB windows the engine reads: those not wholly made of skipped blocks. */
  private static long unskippedWindowBytes(boolean[] skippable, long diskSize) {
    long read = 0;
    int per = BlockMigration.WINDOW / BS;
    for (long w = 0; w < diskSize; w += BlockMigration.WINDOW) {
      boolean all = true;
      for (int i = 0; i < per && all; i++) {
        long j = w / BS + i;
        all = j * BS >= diskSize || j < skippable.length && skippable[(int) j]; // a partial last block is read
      }
      read += all ? 0 : Math.min(BlockMigration.WINDOW, diskSize - w);
    }
    return read;
  }

  private static byte[] slice(byte[] b, long at, int len) {
    byte[] out = new byte[len];
    System.arraycopy(b, (int) at, out, 0, len);
    return out;
  }

  private static TreeMap<String, String> expectedFiles() throws IOException {
    TreeMap<String, String> m = files(content);
    deleted.forEach(m::remove);
    return m;
  }

  /** Every regular file below {@code root} (lost+found aside), by path, with the SHA-256 of its content. */
  private static TreeMap<String, String> files(Path root) throws IOException {
    TreeMap<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString();
        if (!rel.startsWith("lost+found")) {
          m.put(rel, dev.smc.transfer.repo.Hashing.sha256Hex(java.nio.ByteBuffer.wrap(Files.readAllBytes(p))));
        }
      }
    }
    return m;
  }
}
