package dev.smc.transfer.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.spi.Backend;
import dev.smc.testkit.BackendContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFolderBackendTest extends BackendContract {
  @TempDir
  Path tmp;

  @Override
  protected Backend newBackend() throws IOException {
    return LocalFolderBackend.open(tmp.resolve("repo"));
  }

  @Test
  void invalidNamesNeverCreateFilesOutsideTheFolder() throws IOException {
    for (String name : invalidNames()) {
      try {
        backend().put(name, ByteBuffer.wrap(new byte[] {1}), Backend.PutMode.REPLACE);
      } catch (IllegalArgumentException expected) {
        // checked by the contract
      }
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(tmp.resolve("repo")), s.toList(), "files next to the backend's folder");
    }
  }

  @Test
  void objectsSurviveReopeningAndStrayTemporaryFilesAreNotListed() throws IOException {
    byte[] content = bytes(5000, 3);
    backend().put("index/abc", ByteBuffer.wrap(content), Backend.PutMode.CREATE_NEW);
    // what a crash in the middle of a put leaves behind
    Files.write(tmp.resolve("repo/tmp/0123456789abcdef.tmp"), new byte[100]);
    try (LocalFolderBackend again = LocalFolderBackend.openWithoutSync(tmp.resolve("repo"))) {
      assertArrayEquals(content, array(again.get("index/abc")));
      assertEquals(List.of("index/abc 5000"), again.list("").stream().map(o -> o.name() + " " + o.size()).toList());
    }
  }
}
