package dev.smc.transfer.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.TargetDisks;
import dev.smc.spi.SourceDescription;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raw disk described for a task: partitions, file systems, used space; target disks checked against it. */
class DiskSourceTest {
  @TempDir
  Path tmp;

  private static String run(String... cmd) throws IOException, InterruptedException {
    return Tools.run(cmd);
  }


  @Test
  void describesPartitionsAndUsedSpaceAndRefusesATooSmallTarget() throws Exception {
    Path disk = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(64L << 20);
    }
    run("sgdisk", "-o", "-n", "1:2048:+40M", "-t", "1:8300", "-c", "1:root", "-n", "2:0:0", "-t", "2:8200", disk.toString());
    Path content = Files.createDirectories(tmp.resolve("c"));
    byte[] big = new byte[8 << 20];
    new java.util.SplittableRandom(1).nextBytes(big); // zeros would be stored sparse by mke2fs -d
    Files.write(content.resolve("big"), big);
    run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-L", "rootfs", "-E", "offset=" + (2048 * 512), "-d",
        content.toString(), disk.toString(), Long.toString((40L << 20) / 4096));

    SourceDescription d = new DiskSource(disk).describe();
    assertEquals(SourceDescription.OsType.LINUX, d.osType());
    SourceDescription.Disk only = d.disks().get(0);
    assertEquals(64L << 20, only.sizeBytes());
    assertEquals(2, only.partitions().size());
    SourceDescription.Partition root = only.partitions().get(0);
    assertEquals(1, root.number());
    assertEquals(2048L * 512, root.startBytes());
    assertEquals("ext4", root.fileSystem().orElseThrow().type());
    assertEquals("rootfs", root.fileSystem().orElseThrow().label());
    assertEquals("root", root.name());
    assertEquals(SourceDescription.TableType.GPT, only.table());
    long rootUsed = root.usedBytes().orElseThrow();
    assertTrue(rootUsed >= 8L << 20 && rootUsed < 40L << 20, "used " + rootUsed);
    // partition 2 has no file system: counted whole
    assertEquals(rootUsed + only.partitions().get(1).sizeBytes(), only.usedBytes());

    new TargetDisks(20, List.of()).validateAgainst(d);
    SourceDescription huge = new SourceDescription(d.osType(), d.hostname(), List.of(new SourceDescription.Disk(
        0, only.name(), 100L << 30, 30L << 30, only.table(), only.diskId(), only.partitions(), Optional.empty())));
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> new TargetDisks(20, List.of()).validateAgainst(huge));
    FieldError f = e.errors().get(0);
    assertEquals("systemDiskGiB", f.field());
    assertTrue(f.allowed().contains("30 GiB used"), f.allowed());
  }
}
