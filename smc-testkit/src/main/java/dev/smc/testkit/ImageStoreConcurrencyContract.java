package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.spi.ImageStore.ImageReader;
import dev.smc.spi.ImageStore.ImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The thread-safety part of the {@link ImageStore} contract, and the store each test runs on. A
 * vendor extends {@link ImageStoreContract}, which inherits these tests; this class alone runs only
 * them. They prove that several writers of one name racing for one cycle number, through one handle
 * and through two, let exactly one commit and fail the others with {@code ALREADY_EXISTS}; that
 * {@code putChunk} from several threads writes each chunk once; and that one reader serves several
 * threads.
 */
public abstract class ImageStoreConcurrencyContract {
  private ImageStore store;
  private final List<ImageStore> reopened = new ArrayList<>();

  /** A new, empty store. Called once before each test; the contract closes it after the test. */
  protected abstract ImageStore newStore() throws IOException;

  /**
   * Another handle on the store {@link #newStore()} last returned, as another process would open
   * it. The contract closes it after the test, before the store.
   */
  protected abstract ImageStore reopen() throws IOException;

  /** The transfer options of every cycle the contract writes (default: {@link TransferOptions#DEFAULTS}). */
  protected TransferOptions options() {
    return TransferOptions.DEFAULTS;
  }

  /** The store of the running test. */
  protected final ImageStore store() {
    return store;
  }

  /** A handle from {@link #reopen()}, closed after the test. */
  protected final ImageStore reopened() throws IOException {
    ImageStore s = reopen();
    reopened.add(s);
    return s;
  }

  @BeforeEach
  final void openStoreUnderTest() throws IOException {
    store = newStore();
  }

  @AfterEach
  final void closeStoreUnderTest() throws IOException {
    for (ImageStore s : reopened) {
      s.close();
    }
    reopened.clear();
    store.close();
  }

  @Test
  @Timeout(120)
  void writersRacingThroughTwoHandlesLetExactlyOneCommitEachCycle() throws Exception {
    ImageStore other = reopened();
    for (int cycle = 1; cycle <= 3; cycle++) {
      int writers = 4;
      CyclicBarrier start = new CyclicBarrier(writers);
      AtomicInteger ids = new AtomicInteger();
      ImageRef want = new ImageRef("web", cycle);
      List<Integer> results = Concurrently.run(writers, () -> {
        int me = ids.getAndIncrement();
        ImageStore s = me % 2 == 0 ? store : other;
        try (ImageWriter w = s.newImage("web", ImageKind.FILES, options())) {
          SampleImage.of(me).writeTo(w);
          start.await(60, TimeUnit.SECONDS); // every writer has its cycle number before any commits
          assertEquals(want, w.ref(), "writer " + me);
          try {
            w.commit(Map.of("writer", Integer.toString(me)));
            return me;
          } catch (SmcException e) {
            assertEquals(ErrorCode.ALREADY_EXISTS, e.code(), "writer " + me + ": " + e.getMessage());
            return -1;
          }
        }
      });
      List<Integer> won = results.stream().filter(r -> r >= 0).toList();
      assertEquals(1, won.size(), "writers whose commit of " + want + " succeeded: " + won);
      ImageInfo info = store.image(want).orElseThrow();
      assertEquals(Integer.toString(won.get(0)), info.properties().get("writer"), "the image is the winner's");
      try (ImageReader r = other.openImage(want)) {
        SampleImage.of(won.get(0)).assertReadsBack(r);
      }
    }
    assertEquals(3, store.images().size());
  }

  @Test
  @Timeout(120)
  void putChunkFromSeveralThreadsWritesEachChunkOnce() throws Exception {
    int chunks = 64;
    byte[][] content = new byte[chunks][];
    ChunkId[] id = new ChunkId[chunks];
    for (int i = 0; i < chunks; i++) {
      content[i] = SampleImage.bytes(4096 + i, i);
      id[i] = SampleImage.idOf(content[i]);
    }
    AtomicInteger[] writes = new AtomicInteger[chunks];
    for (int i = 0; i < chunks; i++) {
      writes[i] = new AtomicInteger();
    }
    ImageInfo info;
    try (ImageWriter w = store.newImage("web", ImageKind.FILES, options())) {
      CyclicBarrier start = new CyclicBarrier(6);
      AtomicInteger threads = new AtomicInteger();
      Concurrently.run(6, () -> {
        int t = threads.getAndIncrement();
        start.await(60, TimeUnit.SECONDS);
        for (int k = 0; k < chunks; k++) {
          int i = (k + t * 11) % chunks; // every thread puts every chunk, starting at different ones
          long n = w.putChunk(id[i], ByteBuffer.wrap(content[i]));
          if (n > 0) {
            writes[i].incrementAndGet();
          }
          w.hasChunk(id[(i + 1) % chunks]);
        }
        return null;
      });
      for (int i = 0; i < chunks; i++) {
        assertEquals(1, writes[i].get(), "puts of chunk " + i + " that returned more than 0 bytes");
      }
      w.writeTree(new byte[] {42}, 0, 1);
      info = w.commit(Map.of());
    }
    try (ImageReader r = store.openImage(info.ref())) {
      Concurrently.run(4, () -> {
        for (int i = 0; i < chunks; i++) {
          assertArrayEquals(content[i], SampleImage.array(r.chunk(id[i])), "chunk " + i);
        }
        return null;
      });
    }
  }
}
