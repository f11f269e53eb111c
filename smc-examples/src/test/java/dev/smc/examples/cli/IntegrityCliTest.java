package dev.smc.examples.cli;

import static dev.smc.examples.cli.CliRun.smc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.transfer.files.TreeCompare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11 through the command line: with a data pack of the parent deleted, {@code migrate
 * --checksum} makes a whole image (and says what it read again) or fails, never exit 0 with an
 * image that does not restore; {@code unlock}, {@code forget --image} and the warnings of
 * {@code images} on a damaged repository.
 */
class IntegrityCliTest {
  @TempDir
  Path tmp;

  private Path src;
  private Path repo;



  @BeforeEach
  void aServer() throws IOException {
    src = tmp.resolve("server");
    repo = tmp.resolve("repo");
    Random rnd = new Random(8);
    Files.createDirectories(src.resolve("etc"));
    Files.createDirectories(src.resolve("var/lib"));
    for (int i = 0; i < 10; i++) {
      Files.writeString(src.resolve("etc/conf-" + i), "setting " + rnd.nextInt() + "\n");
    }
    byte[] db = new byte[3 << 20];
    rnd.nextBytes(db);
    Files.write(src.resolve("var/lib/data.bin"), db);
  }

  private Path largestPack() throws IOException {
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      return s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
  }

  @Test
  void withADataPackDeletedMigrateMakesAWholeImageThatRestores() throws IOException {
    for (boolean checksum : new boolean[] {false, true}) {
      CliRun first = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web");
      assertEquals(0, first.code(), first.err());
      Files.delete(largestPack());
      String[] args = checksum
          ? new String[] {"migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web",
              "--checksum"}
          : new String[] {"migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web"};
      CliRun second = smc(args);
      assertEquals(0, second.code(), second.err());
      assertTrue(second.err().contains("read again from the source"), second.err());
      String image = second.out().substring(0, second.out().indexOf(':'));
      Path target = tmp.resolve("restored-" + checksum);
      CliRun restore = smc("restore", "--repo", repo.toString(), "--image", image, "--target", target.toString());
      assertEquals(0, restore.code(), restore.err());
      assertEquals(List.of(), TreeCompare.differences(src.toString().getBytes(StandardCharsets.UTF_8),
          target.toString().getBytes(StandardCharsets.UTF_8)), "the image made over a lost pack restores exactly");
      // the lost chunks were stored again: after gc the repository checks clean
      assertEquals(0, smc("gc", "--repo", repo.toString()).code());
      CliRun check = smc("check", "--repo", repo.toString(), "--read-data");
      assertEquals(0, check.code(), check.out() + check.err());
    }
  }

  @Test
  void unlockForgetAndImagesOnADamagedRepository() throws IOException {
    assertEquals(0, smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web").code());
    assertEquals(0, smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web").code());
    // garbage in a lock and in a manifest
    Files.writeString(repo.resolve("locks/junk"), "not a lock");
    Files.writeString(repo.resolve("images/web-CYCLE_1"), "garbage");
    CliRun locked = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web");
    assertEquals(1, locked.code());
    assertTrue(locked.err().contains("locks/junk") && locked.err().contains("smc unlock --all"), locked.err());
    CliRun check = smc("check", "--repo", repo.toString());
    assertEquals(1, check.code());
    assertTrue(check.out().contains("locks/junk") && check.out().contains("web-CYCLE_1"), check.out());
    CliRun unlock = smc("unlock", "--repo", repo.toString(), "--all");
    assertEquals(0, unlock.code(), unlock.err());
    assertTrue(unlock.out().contains("removed lock locks/junk"), unlock.out());

    CliRun images = smc("images", "--repo", repo.toString());
    assertEquals(0, images.code(), images.err());
    assertTrue(images.out().contains("web-CYCLE_2") && !images.out().contains("web-CYCLE_1"), images.out());
    assertTrue(images.err().contains("warning: image images/web-CYCLE_1"), images.err());
    CliRun gc = smc("gc", "--repo", repo.toString());
    assertEquals(1, gc.code());
    assertTrue(gc.err().contains("web-CYCLE_1") && gc.err().contains("smc forget --image"), gc.err());
    CliRun forget = smc("forget", "--repo", repo.toString(), "--image", "web-CYCLE_1");
    assertEquals(0, forget.code(), forget.err());
    assertEquals(0, smc("gc", "--repo", repo.toString()).code());
    CliRun next = smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "web");
    assertEquals(0, next.code(), next.err());
    assertTrue(next.out().startsWith("web-CYCLE_3"), next.out());
    assertEquals(0, smc("check", "--repo", repo.toString(), "--read-data").code());
  }
}
