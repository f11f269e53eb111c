package dev.smc.transfer.blocks;

import dev.smc.spi.ImageKind;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription.OsType;
import dev.smc.testkit.MigrationSourceContract;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration source contract for a disk image built with the real tools: GPT, an ext4 root
 * partition made with {@code mke2fs -E offset=} and a partition without a file system.
 */
class DiskSourceContractTest extends MigrationSourceContract {
  @TempDir
  static Path tmp;
  private static Path disk;

  @BeforeAll
  static void buildDisk() throws Exception {
    disk = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(64L << 20);
    }
    Tools.run("sgdisk", "-o", "-n", "1:2048:+40M", "-t", "1:8300", "-c", "1:root", "-n", "2:0:0", "-t", "2:8200",
        disk.toString());
    Path content = Files.createDirectories(tmp.resolve("c"));
    byte[] big = new byte[4 << 20];
    new SplittableRandom(1).nextBytes(big); // zeros would be stored sparse by mke2fs -d
    Files.write(content.resolve("big"), big);
    Tools.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-L", "rootfs", "-E", "offset=" + (2048 * 512), "-d",
        content.toString(), disk.toString(), Long.toString((40L << 20) / 4096));
  }

  @Override
  protected MigrationSource newSource() {
    return new DiskSource(disk);
  }

  @Override
  protected Expected expected() {
    return new Expected(ImageKind.BLOCKS, 1, OsType.LINUX);
  }
}
