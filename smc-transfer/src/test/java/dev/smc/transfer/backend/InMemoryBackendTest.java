package dev.smc.transfer.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.spi.Backend;
import dev.smc.testkit.BackendContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class InMemoryBackendTest extends BackendContract {

  @Override
  protected Backend newBackend() {
    return new InMemoryBackend();
  }

  @Test
  void corruptFlipsExactlyOneByte() throws IOException {
    byte[] content = bytes(1000, 7);
    backend().put("data/00/p", ByteBuffer.wrap(content), Backend.PutMode.CREATE_NEW);
    ((InMemoryBackend) backend()).corrupt("data/00/p", 500);
    byte[] got = array(backend().get("data/00/p"));
    int differing = 0;
    for (int i = 0; i < content.length; i++) {
      if (got[i] != content[i]) {
        differing++;
        assertEquals(500, i, "the flipped byte");
      }
    }
    assertEquals(1, differing, "bytes changed by corrupt");
    content[500] = got[500];
    assertArrayEquals(content, got);
  }
}
