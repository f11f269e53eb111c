package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.Progress;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.testkit.RecordingListener;
import dev.smc.testkit.RecordingListener.ProgressReported;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.Ext4Bitmaps;
import dev.smc.transfer.repo.Repository;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a block cycle reports on a real two-partition disk (sgdisk, two ext4 file systems by mke2fs): a partition
 * not chosen is counted as left out, apart from free space; a disk has no files; the progress has the exact total
 * (the disk without what is skipped) from its first snapshot.
 */
class BlockReportTest {
  private static final int MIB = 1 << 20;
  private static final long P1 = 2048 * 512L;  // partition 1: 1 MiB .. 41 MiB
  private static final long P2 = 41L * MIB;    // partition 2: 41 MiB .. 61 MiB

  @TempDir
  Path tmp;

  /** A 64 MiB GPT disk, random bytes below (a used disk) or sparse (a fresh image file). */
  private Path disk(boolean sparse) throws Exception {
    Path disk = tmp.resolve("disk.img");
    if (sparse) {
      try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
        f.setLength(64 * MIB);
      }
    } else {
      byte[] junk = new byte[64 * MIB];
      new SplittableRandom(5).nextBytes(junk);
      Files.write(disk, junk);
    }
    Tools.run("sgdisk", "-o", "-n", "1:2048:+40M", "-t", "1:8300", "-n", "2:83968:+20M", "-t", "2:8300",
        disk.toString());
    Path content = Files.createDirectories(tmp.resolve("content"));
    Files.writeString(content.resolve("hello.txt"), "hello\n".repeat(5000));
    for (long start : new long[] {P1, P2}) {
      long bytes = start == P1 ? 40L * MIB : 20L * MIB;
      Tools.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-E", "offset=" + start + ",nodiscard", "-d",
          content.toString(), disk.toString(), Long.toString(bytes / 4096));
    }
    return disk;
  }

  @ParameterizedTest(name = "sparse image file: {0}")
  @ValueSource(booleans = {false, true})
  void aPartitionNotChosenIsLeftOutNotFreeAndTheProgressKnowsItsTotalAtOnce(boolean sparse) throws Exception {
    Path disk = disk(sparse);
    long used1;
    try (DiskReader r = DiskReader.open(disk)) {
      used1 = Ext4Bitmaps.read(r, P1, 40L * MIB).usedBlocks();
    }
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      RecordingListener l = new RecordingListener();
      CycleReport c = BlockMigration.builder().partitions(Set.of(1)).listener(l).build()
          .run(repo, disk, "disk", TransferOptions.DEFAULTS);
      assertEquals(20L * MIB / 4096, c.details().get("blocksLeftOut"), "partition 2, not chosen");
      assertEquals(40L * MIB / 4096 - used1, c.details().get("blocksFree"), "the free blocks of partition 1 only");
      assertEquals(0, c.filesScanned(), "a disk has no files");
      ImageInfo info = repo.image(c.image()).orElseThrow();
      assertFalse(info.properties().containsKey("files"), info.properties().toString());

      List<Progress> ps = l.events().stream().filter(e -> e instanceof ProgressReported)
          .map(e -> ((ProgressReported) e).progress()).toList();
      long skipped = (c.details().get("blocksLeftOut") + c.details().get("blocksFree")) * 4096;
      Progress first = ps.get(0);
      assertEquals(64L * MIB - skipped, first.bytesTotal(), "the disk without what is skipped, known up front");
      assertFalse(first.totalEstimated());
      assertEquals(0.0, first.percent());
      Progress last = ps.get(ps.size() - 1);
      assertEquals(100.0, last.percent());
      assertEquals(last.bytesTotal(), last.bytesScanned());
      assertEquals(c.bytesRead(), last.bytesRead());
      assertTrue(last.bytesSent() >= c.bytesStored(), "every pack has left: " + last);
      assertTrue(last.bytesSent() > 0);
      assertEquals(0, last.filesScanned());
      ps.forEach(p -> assertTrue(p.percent() >= 0 && p.bytesScanned() <= p.bytesTotal(), p.toString()));
    }
  }
}
