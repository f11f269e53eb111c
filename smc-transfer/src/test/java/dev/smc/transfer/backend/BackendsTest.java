package dev.smc.transfer.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.InvalidSpecException;
import dev.smc.spi.Backend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
  @TempDir
  Path tmp;

  @Test
  void plainPathsAndFileUrisOpenLocalFolders() throws Exception {
    try (Backend a = Backends.open(tmp.resolve("a").toString()); Backend b = Backends.open(tmp.resolve("b").toUri().toString())) {
      assertInstanceOf(LocalFolderBackend.class, a);
      assertEquals(tmp.resolve("b").toString(), b.location());
    }
  }

  @Test
  void memUrisOpenAnInMemoryBackendFoundThroughServiceLoader() throws Exception {
    try (Backend m = Backends.open("mem:scratch")) {
      assertInstanceOf(InMemoryBackend.class, m);
    }
  }

  @Test
  void anUnknownSchemeNamesTheSchemesThatExist() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Backends.open("ftp://host/repo"));
    assertEquals("repo", e.errors().get(0).field());
    assertTrue(e.getMessage().contains("[file, mem]"), e.getMessage());
  }
}
