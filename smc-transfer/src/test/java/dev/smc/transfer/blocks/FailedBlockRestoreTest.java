package dev.smc.transfer.blocks;

import static dev.smc.transfer.blocks.Tools.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import dev.smc.testkit.PackDamage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk restore that fails (issue #11, item 9): the file it created is removed (an empty file it
 * was given is empty again) unless asked to keep it, a block device is said to hold a partial image,
 * and the error names the image, the target and what failed, a full disk included.
 */
class FailedBlockRestoreTest {
  @TempDir
  Path tmp;

  private Path repoDir;

  private CycleReport migrated(int mib) throws IOException {
    byte[] disk = new byte[mib << 20];
    new Random(3).nextBytes(disk);
    Path img = Files.write(tmp.resolve("disk.img"), disk);
    repoDir = tmp.resolve("repo");
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      return BlockMigration.builder().build().run(repo, img, "disk", TransferOptions.DEFAULTS);
    }
  }

  private SmcException failed(CycleReport image, Path target, boolean keep) throws IOException {
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(repoDir))) {
      return assertThrows(SmcException.class, () -> new BlockRestore().keepPartial(keep).restore(repo, image.image(),
          target));
    }
  }

  @Test
  void damagedDataRemovesTheNewFileOrEmptiesTheGivenOneOrKeepsItWhenAsked() throws Exception {
    CycleReport image = migrated(8);
    PackDamage.flipDataByte(repoDir);
    Path target = tmp.resolve("restored.img");
    SmcException e = failed(image, target, false);
    assertEquals(ErrorCode.INTEGRITY, e.code(), e.toString());
    assertTrue(e.getMessage().startsWith("restore of disk-CYCLE_1 into " + target + ": reading the blocks from byte ")
        && e.getMessage().endsWith("the file " + target + " it created was removed"), e.getMessage());
    assertFalse(Files.exists(target));

    Path given = Files.createFile(tmp.resolve("given.img"));
    assertTrue(failed(image, given, false).getMessage().endsWith("is empty again, as it was given"));
    assertEquals(0, Files.size(given));

    SmcException kept = failed(image, target, true);
    assertTrue(kept.getMessage().endsWith("the partial disk " + target + " is kept as asked; its content is not the"
        + " image's"), kept.getMessage());
    assertTrue(Files.exists(target));
  }

  @Test
  void aFullDiskNamesTheTargetAndNoSpaceAndRemovesTheFile() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    CycleReport image = migrated(4);
    Path small = Files.createDirectory(tmp.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString());
    try {
      Path target = small.resolve("disk.img");
      SmcException e = failed(image, target, false);
      assertEquals(ErrorCode.QUOTA, e.code(), e.toString());
      assertTrue(e.getMessage().startsWith("restore of disk-CYCLE_1 into " + target + ": writing " + target
          + " at byte ") && e.getMessage().contains(": no space left on device (ENOSPC); the file " + target
          + " it created was removed"), e.getMessage());
      assertFalse(Files.exists(target));
    } finally {
      run("umount", small.toString());
    }
  }

  @Test
  void onABlockDeviceTheErrorSaysItHoldsAPartialImage() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "loop devices need root");
    CycleReport image = migrated(8);
    PackDamage.flipDataByte(repoDir);
    Path backing = Files.write(tmp.resolve("backing.img"), new byte[8 << 20]);
    String dev = run("losetup", "-f", "--show", backing.toString()).trim();
    try {
      SmcException e = failed(image, Path.of(dev), false);
      assertTrue(e.getMessage().endsWith("the device " + dev + " holds a partial image (write the image again before"
          + " using it)"), e.getMessage());
    } finally {
      run("losetup", "-d", dev);
    }
  }
}
