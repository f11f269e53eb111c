package example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example, run: a cycle of a small tree, retention, gc, and a restore that equals the tree. */
class MigrateTest {
  @TempDir
  Path tmp;

  @Test
  void theReadmesExampleMigratesAndRestoresATree() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("web01/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    byte[] data = new byte[3 << 20];
    new Random(1).nextBytes(data);
    Files.write(tmp.resolve("web01/data.bin"), data);
    Files.createDirectories(tmp.resolve("web01/var/cache"));
    Files.writeString(tmp.resolve("web01/var/cache/junk"), "left out");

    Migrate.main(new String[] {tmp.resolve("web01").toString(), tmp.resolve("repo").toString(),
        tmp.resolve("restored").toString()});

    assertEquals("port = 8080\n", Files.readString(tmp.resolve("restored/etc/app.conf")));
    assertArrayEquals(data, Files.readAllBytes(tmp.resolve("restored/data.bin")));
    assertTrue(Files.isDirectory(tmp.resolve("restored/var")) && !Files.exists(tmp.resolve("restored/var/cache")),
        "the excluded folder is left out");
  }
}
