package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.ChangeHints;
import dev.smc.spi.SnapshotHooks;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.Ext4Bitmaps;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Free-space skipping, per-partition copy, changed-block hints and snapshot hooks, on real disks. */
class BlockFeaturesTest {
  private static final int MIB = 1 << 20;
  private static final long P1 = 2048 * 512L;          // partition 1: 1 MiB .. 41 MiB
  private static final long P2 = (2048 + 81920) * 512L; // partition 2: 41 MiB .. end

  @TempDir
  Path tmp;

  private static String run(String... cmd) throws IOException, InterruptedException {
    return Tools.run(cmd);
  }


  /**
   * A 64 MiB GPT disk whose every byte was random before partitioning (so free blocks hold old
   * data, as on a used disk), partition 1 a small ext4 from mke2fs -d, partition 2 raw data.
   */
  private Path disk() throws Exception {
    Path disk = tmp.resolve("disk.img");
    byte[] junk = new byte[64 * MIB];
    new SplittableRandom(3).nextBytes(junk);
    Files.write(disk, junk);
    run("sgdisk", "-o", "-n", "1:2048:+40M", "-t", "1:8300", "-n", "2:0:0", "-t", "2:8300", disk.toString());
    Path content = Files.createDirectories(tmp.resolve("content"));
    Files.writeString(content.resolve("hello.txt"), "hello from partition one\n".repeat(2000));
    run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-E", "offset=" + P1 + ",lazy_itable_init=0,nodiscard",
        "-d", content.toString(), disk.toString(), Long.toString(40L * MIB / 4096));
    return disk;
  }

  private static byte[] range(Path p, long off, int len) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      byte[] b = new byte[len];
      f.seek(off);
      f.readFully(b);
      return b;
    }
  }

  @Test
  void freeExt4BlocksAreNeitherReadNorStoredAndRestoreAsZeros() throws Exception {
    Path disk = disk();
    long used;
    try (DiskReader r = DiskReader.open(disk)) {
      used = Ext4Bitmaps.read(r, P1, 40L * MIB).usedBlocks();
    }
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      CycleReport c = BlockMigration.builder().build().run(repo, disk, "disk", TransferOptions.DEFAULTS);
      long free = c.details().get("blocksFree");
      assertEquals(40L * MIB / 4096 - used, free, "free blocks of partition 1");
      assertTrue(c.bytesRead() < 64L * MIB - free * 4096 + 4 * MIB, "read " + c.bytesRead());
      Path out = tmp.resolve("out.img");
      new BlockRestore().restore(repo, c.image(), out);
      String fsck = run("e2fsck", "-fn", out + "?offset=" + P1);
      assertTrue(fsck.contains("hello") || !fsck.contains("ERROR"), fsck);
      assertTrue(run("debugfs", "-R", "cat hello.txt", out + "?offset=" + P1).contains("hello from partition one"));
      try (DiskReader r = DiskReader.open(out)) {
        Ext4Bitmaps bm = Ext4Bitmaps.read(r, P1, 40L * MIB);
        byte[] src = range(disk, P1, 40 * MIB);
        byte[] dst = range(out, P1, 40 * MIB);
        for (long b = 0; b < bm.blockCount(); b++) {
          int at = (int) (b * 4096);
          byte[] want = bm.isUsed(b) ? Arrays.copyOfRange(src, at, at + 4096) : new byte[4096];
          assertArrayEquals(want, Arrays.copyOfRange(dst, at, at + 4096), "block " + b);
        }
      }
      assertArrayEquals(range(disk, 0, (int) P1), range(out, 0, (int) P1), "GPT and the gap before partition 1");
      assertArrayEquals(range(disk, P2, 20 * MIB), range(out, P2, 20 * MIB), "partition 2 (no file system) whole");
    }
  }

  @Test
  void onlyTheChosenPartitionsAreCopiedWithTheTables() throws Exception {
    Path disk = disk();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      CycleReport c = BlockMigration.builder().partitions(Set.of(2)).skipFreeSpace(false).build()
          .run(repo, disk, "disk", TransferOptions.DEFAULTS);
      Path out = tmp.resolve("out.img");
      new BlockRestore().restore(repo, c.image(), out);
      assertArrayEquals(range(disk, 0, (int) P1), range(out, 0, (int) P1), "tables and gap");
      assertArrayEquals(new byte[40 * MIB], range(out, P1, 40 * MIB), "partition 1 was left out");
      assertArrayEquals(range(disk, P2, 22 * MIB), range(out, P2, 22 * MIB), "partition 2");
      long last = Files.size(disk) - 33 * 512; // the backup GPT
      assertArrayEquals(range(disk, last, 33 * 512), range(out, last, 33 * 512), "backup GPT");
      dev.smc.SmcException e = assertThrows(dev.smc.SmcException.class, () -> BlockMigration.builder()
          .partitions(Set.of(7)).build().run(repo, disk, "disk", TransferOptions.DEFAULTS));
      assertTrue(e.getMessage().contains("no partition 7"), e.getMessage());
    }
  }

  @Test
  void aChangeHintLimitsReadsToTheRangesItNames() throws Exception {
    Path disk = disk();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      BlockMigration plain = BlockMigration.builder().skipFreeSpace(false).build();
      plain.run(repo, disk, "disk", TransferOptions.DEFAULTS);
      long at = P2 + 5L * MIB + 4096;
      try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
        f.seek(at);
        f.write("changed through the hypervisor".getBytes(StandardCharsets.US_ASCII));
      }
      List<ImageRef> asked = new ArrayList<>();
      ChangeHints hint = parent -> {
        asked.add(parent);
        return Optional.of(List.of(new ChangeHints.Range(at, at + 100)));
      };
      CycleReport c = BlockMigration.builder().skipFreeSpace(false).hints(hint).build()
          .run(repo, disk, "disk", TransferOptions.DEFAULTS);
      assertEquals(List.of(new ImageRef("disk", 1)), asked);
      assertEquals(4L * MIB, c.bytesRead(), "only the 4 MiB read around the hinted range");
      assertEquals(1L, c.details().get("blocksStored"));
      Path out = tmp.resolve("out.img");
      new BlockRestore().restore(repo, c.image(), out);
      assertArrayEquals(Files.readAllBytes(disk), Files.readAllBytes(out));
    }
  }

  @Test
  void hooksRunAroundTheReadAndTheAfterHookAlwaysRuns() throws Exception {
    Path disk = disk();
    List<String> calls = new ArrayList<>();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      SnapshotHooks ok = new SnapshotHooks() {
        @Override
        public void before() {
          calls.add("before");
        }

        @Override
        public void after() {
          calls.add("after");
        }
      };
      BlockMigration.builder().hooks(ok).build().run(repo, disk, "disk", TransferOptions.DEFAULTS);
      assertEquals(List.of("before", "after"), calls);

      calls.clear();
      SnapshotHooks failing = new SnapshotHooks() {
        @Override
        public void before() throws IOException {
          calls.add("before");
          throw new IOException("fsfreeze: Operation not permitted");
        }

        @Override
        public void after() {
          calls.add("after");
        }
      };
      IOException e = assertThrows(IOException.class,
          () -> BlockMigration.builder().hooks(failing).build().run(repo, disk, "disk", TransferOptions.DEFAULTS));
      assertTrue(e.getMessage().contains("fsfreeze"), e.getMessage());
      assertEquals(List.of("before", "after"), calls);
      assertEquals(1, repo.images().size(), "a failed cycle left an image");
    }
  }
}
