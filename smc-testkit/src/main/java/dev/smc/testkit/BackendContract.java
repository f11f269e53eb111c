package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.spi.Backend;
import dev.smc.spi.Backend.ObjectInfo;
import dev.smc.spi.Backend.PutMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Backend}: every implementation, smc's and a vendor's, extends this class
 * and implements {@link #newBackend()}; the inherited tests then prove the behaviour the repository
 * relies on (whole objects only, exact ranges, listing by prefix, idempotent delete, CREATE_NEW
 * and atomic REPLACE, strict names, thread safety, large objects).
 *
 * <pre>
 * class S3BackendTest extends BackendContract {
 *   protected Backend newBackend() { return S3Backend.open(bucketForThisTest()); }
 * }
 * </pre>
 */
public abstract class BackendContract {
  private static final long SEED = 0x5eed_bac_cafeL;
  private Backend backend;

  /** A new, empty backend. Called once before each test; the test closes it. */
  protected abstract Backend newBackend() throws IOException;

  /** The backend of the running test. */
  protected final Backend backend() {
    return backend;
  }

  @BeforeEach
  final void openBackendUnderTest() throws IOException {
    backend = newBackend();
  }

  @AfterEach
  final void closeBackendUnderTest() throws IOException {
    backend.close();
  }

  // ------------------------------------------------------------------ helpers

  /** {@code n} bytes from a fixed seed. */
  protected static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** The remaining bytes of {@code b}, leaving it unchanged. */
  protected static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private void put(String name, byte[] content) throws IOException {
    backend.put(name, ByteBuffer.wrap(content), PutMode.CREATE_NEW);
  }

  private Map<String, Long> listing(String prefix) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    for (ObjectInfo o : backend.list(prefix)) {
      if (m.put(o.name(), o.size()) != null) {
        fail("list('" + prefix + "') reported " + o.name() + " twice");
      }
    }
    return m;
  }

  /** Runs {@code task} on {@code threads} threads at once; rethrows the first failure. */
  private static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        fs.add(pool.submit(task));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        try {
          out.add(f.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Exception x) {
            throw x;
          }
          throw e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ put and get

  @Test
  void getReturnsExactlyTheBytesPut() throws IOException {
    byte[] content = bytes(70_000, SEED);
    put("data/ab/abcdef", content);
    assertArrayEquals(content, array(backend.get("data/ab/abcdef")));
  }

  @Test
  void putReadsFromPositionToLimitAndLeavesThePositionUnchanged() throws IOException {
    byte[] content = bytes(100, SEED);
    ByteBuffer heap = ByteBuffer.wrap(content).position(10).limit(90);
    backend.put("heap", heap, PutMode.CREATE_NEW);
    assertEquals(10, heap.position(), "position after put");
    assertEquals(90, heap.limit(), "limit after put");

    ByteBuffer direct = ByteBuffer.allocateDirect(100).put(content).position(5).limit(50);
    backend.put("direct", direct, PutMode.CREATE_NEW);
    assertEquals(5, direct.position(), "position after put of a direct buffer");

    ByteBuffer readOnly = ByteBuffer.wrap(content).asReadOnlyBuffer().position(1);
    backend.put("read-only", readOnly, PutMode.CREATE_NEW);

    assertArrayEquals(java.util.Arrays.copyOfRange(content, 10, 90), array(backend.get("heap")));
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 5, 50), array(backend.get("direct")));
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 1, 100), array(backend.get("read-only")));
  }

  @Test
  void storedObjectsAreUnaffectedByLaterChangesToTheCallersBuffers() throws IOException {
    byte[] content = bytes(1000, SEED);
    byte[] mine = content.clone();
    put("x", mine);
    mine[0] ^= 1;
    ByteBuffer got = backend.get("x");
    assertArrayEquals(content, array(got), "changing the put buffer changed the stored object");
    if (!got.isReadOnly()) {
      got.put(1, (byte) (got.get(1) ^ 1));
    }
    assertArrayEquals(content, array(backend.get("x")), "changing a returned buffer changed the stored object");
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 0, 10), array(backend.get("x", 0, 10)));
  }

  @Test
  void emptyObjectsRoundTrip() throws IOException {
    put("empty", new byte[0]);
    assertEquals(0, backend.get("empty").remaining());
    assertEquals(Optional.of(0L), backend.size("empty"));
    assertEquals(0, backend.get("empty", 0, 0).remaining());
    assertEquals(Map.of("empty", 0L), listing(""));
  }

  @Test
  void getOfAMissingObjectThrowsNoSuchFileException() {
    assertThrows(NoSuchFileException.class, () -> backend.get("data/00/missing"));
    assertThrows(NoSuchFileException.class, () -> backend.get("data/00/missing", 0, 1));
  }

  @Test
  void rangeGetReturnsExactlyTheAskedBytes() throws IOException {
    byte[] content = bytes(200_000, SEED);
    put("data/pack", content);
    int[][] ranges = {{0, 1}, {0, 200_000}, {12_345, 65_536}, {199_999, 1}, {200_000, 0}, {131_072, 68_928}};
    for (int[] r : ranges) {
      ByteBuffer got = backend.get("data/pack", r[0], r[1]);
      assertArrayEquals(java.util.Arrays.copyOfRange(content, r[0], r[0] + r[1]), array(got),
          "range " + r[1] + " bytes at " + r[0]);
    }
  }

  @Test
  void rangeGetPastTheEndFails() throws IOException {
    put("short", bytes(100, SEED));
    assertThrows(IOException.class, () -> backend.get("short", 50, 51));
    assertThrows(IOException.class, () -> backend.get("short", 101, 1));
  }

  @Test
  void sizeIsExactForStoredObjectsAndEmptyForMissingOnes() throws IOException {
    put("index/one", bytes(12_345, SEED));
    assertEquals(Optional.of(12_345L), backend.size("index/one"));
    assertEquals(Optional.empty(), backend.size("index/two"));
    assertEquals(Optional.empty(), backend.size("nothing/here/at/all"));
  }

  @Test
  void aBarrierReturnsWithEverythingPutBeforeItStillReadable() throws IOException {
    backend.barrier(); // nothing put yet
    for (int i = 0; i < 20; i++) {
      put("data/" + String.format("%02x", i) + "/p" + i, bytes(5000, i));
    }
    backend.put("pins/x", ByteBuffer.wrap(bytes(10, 99)), PutMode.REPLACE);
    backend.barrier();
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(bytes(5000, i), array(backend.get("data/" + String.format("%02x", i) + "/p" + i)));
    }
    backend.delete("pins/x");
    backend.barrier();
    assertEquals(21 - 1, listing("").size());
  }

  // ------------------------------------------------------------------ list and delete

  @Test
  void listReturnsEveryObjectUnderAPrefixWithItsSize() throws IOException {
    Map<String, Long> all = new TreeMap<>();
    String[] names = {"config", "data/3f/3f01", "data/3f/3f02", "data/a0/a0ff", "index/aa", "images/web-CYCLE_1",
        "locks/l1", "datafile"};
    for (int i = 0; i < names.length; i++) {
      put(names[i], bytes(10 + i, i));
      all.put(names[i], 10L + i);
    }
    assertEquals(all, listing(""));
    assertEquals(Map.of("data/3f/3f01", 11L, "data/3f/3f02", 12L, "data/a0/a0ff", 13L), listing("data/"));
    assertEquals(Map.of("data/3f/3f01", 11L, "data/3f/3f02", 12L), listing("data/3f/"));
    assertEquals(Map.of("data/3f/3f01", 11L, "data/3f/3f02", 12L), listing("data/3"), "a prefix may end mid-name");
    assertEquals(Map.of("data/3f/3f01", 11L, "data/3f/3f02", 12L, "data/a0/a0ff", 13L, "datafile", 17L),
        listing("data"));
    assertEquals(Map.of("images/web-CYCLE_1", 15L), listing("images/web-CYCLE_"));
    assertEquals(Map.of("config", 10L), listing("conf"));
    assertEquals(Map.of(), listing("nothing/"));
    assertEquals(Map.of(), listing("data/3f/3f01/"), "an object is not a folder");
  }

  @Test
  void listGivesEachObjectTheBackendsTimeOfItsLastPut() throws Exception {
    java.time.Instant before = java.time.Instant.now();
    put("locks/a", bytes(10, 1));
    ObjectInfo first = only("locks/a");
    // the backend's own clock: near this host's for a backend on this machine or a test server
    long skew = Math.abs(java.time.Duration.between(before, first.modified()).toSeconds());
    if (skew > 300) {
      fail("modified " + first.modified() + " is " + skew + " s from this host's clock; expected the backend's time");
    }
    Thread.sleep(1100); // coarser than any backend's time resolution (S3: 1 s)
    backend.put("locks/a", ByteBuffer.wrap(bytes(10, 2)), PutMode.REPLACE);
    ObjectInfo second = only("locks/a");
    if (!second.modified().isAfter(first.modified())) {
      fail("a REPLACE put did not move the object's time: " + first.modified() + " then " + second.modified());
    }
  }

  private ObjectInfo only(String name) throws IOException {
    List<ObjectInfo> l = backend.list(name);
    assertEquals(1, l.size(), "list(" + name + ")");
    return l.get(0);
  }

  @Test
  void deleteRemovesTheObjectAndIsIdempotent() throws IOException {
    put("data/a0/a0ff", bytes(10, SEED));
    put("data/a0/a0fe", bytes(10, SEED));
    backend.delete("data/a0/a0ff");
    assertThrows(NoSuchFileException.class, () -> backend.get("data/a0/a0ff"));
    assertEquals(Optional.empty(), backend.size("data/a0/a0ff"));
    assertEquals(Map.of("data/a0/a0fe", 10L), listing(""));
    backend.delete("data/a0/a0ff");
    backend.delete("never/stored");
    backend.delete("data/a0/a0fe");
    assertEquals(Map.of(), listing(""), "no folder or leftover is listed after deleting everything");
  }

  // ------------------------------------------------------------------ put modes

  @Test
  void createNewRefusesAnExistingObjectAndKeepsItsContent() throws IOException {
    byte[] first = bytes(1000, 1);
    put("images/web-CYCLE_1", first);
    assertThrows(FileAlreadyExistsException.class, () -> put("images/web-CYCLE_1", bytes(2000, 2)));
    assertArrayEquals(first, array(backend.get("images/web-CYCLE_1")));
    assertEquals(Map.of("images/web-CYCLE_1", 1000L), listing(""), "a refused put leaves nothing behind");
  }

  @Test
  void createNewSucceedsAgainAfterDelete() throws IOException {
    put("locks/a", bytes(10, 1));
    backend.delete("locks/a");
    byte[] second = bytes(20, 2);
    put("locks/a", second);
    assertArrayEquals(second, array(backend.get("locks/a")));
  }

  @Test
  void replaceCreatesOrOverwritesAndEveryReadSeesTheNewContent() throws IOException {
    byte[] v1 = bytes(100_000, 1);
    byte[] v2 = bytes(50_000, 2);
    backend.put("pins/web-CYCLE_1", ByteBuffer.wrap(v1), PutMode.REPLACE);
    assertArrayEquals(java.util.Arrays.copyOfRange(v1, 1000, 2000), array(backend.get("pins/web-CYCLE_1", 1000, 1000)));
    backend.put("pins/web-CYCLE_1", ByteBuffer.wrap(v2), PutMode.REPLACE);
    assertArrayEquals(v2, array(backend.get("pins/web-CYCLE_1")));
    assertArrayEquals(java.util.Arrays.copyOfRange(v2, 1000, 2000), array(backend.get("pins/web-CYCLE_1", 1000, 1000)),
        "a range read after REPLACE returned the old content");
    assertEquals(Optional.of(50_000L), backend.size("pins/web-CYCLE_1"));
    assertEquals(Map.of("pins/web-CYCLE_1", 50_000L), listing(""));
  }

  @Test
  @Timeout(120)
  void readersNeverSeeAPartialObjectWhileItIsReplaced() throws Exception {
    int size = 256 * 1024;
    int readers = 2;
    backend.put("locks/hot", ByteBuffer.wrap(filled(size, 0)), PutMode.REPLACE);
    java.util.concurrent.CountDownLatch readersDone = new java.util.concurrent.CountDownLatch(readers);
    AtomicInteger versions = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    try {
      // the writer replaces the object until every reader has read it often enough
      Future<?> writer = pool.submit(() -> {
        while (readersDone.getCount() > 0 || versions.get() < 10) {
          int v = versions.incrementAndGet();
          backend.put("locks/hot", ByteBuffer.wrap(filled(size, v)), PutMode.REPLACE);
        }
        return null;
      });
      List<Future<?>> rs = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        rs.add(pool.submit(() -> {
          try {
            for (int i = 0; i < 150; i++) {
              byte[] b = array(backend.get("locks/hot"));
              assertEquals(size, b.length, "a reader saw an object of the wrong size during REPLACE");
              byte[] part = array(backend.get("locks/hot", size / 2 - 100, 200));
              for (byte x : b) {
                if (x != b[0]) {
                  fail("a reader saw a mix of two versions during REPLACE");
                }
              }
              for (byte x : part) {
                if (x != part[0]) {
                  fail("a range read saw a mix of two versions during REPLACE");
                }
              }
            }
          } finally {
            readersDone.countDown();
          }
          return null;
        }));
      }
      for (Future<?> r : rs) {
        r.get(100, TimeUnit.SECONDS);
      }
      writer.get(100, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    } finally {
      pool.shutdownNow();
    }
    assertArrayEquals(filled(size, versions.get()), array(backend.get("locks/hot")));
  }

  private static byte[] filled(int size, int v) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  // ------------------------------------------------------------------ names

  /** Names the SPI forbids: empty, '.', '..' or empty segments, characters outside [A-Za-z0-9._-], too long. */
  protected List<String> invalidNames() {
    return List.of("../x", "a/../../x", "a//b", "a b", "", "/abs", "a/", "/", ".", "a/./b", "..", "x\\y", "é",
        "a\nb", "a:b", "a*", "data/ab/" + "c".repeat(510));
  }

  @Test
  void invalidNamesAreRejectedBeforeTouchingStorage() throws IOException {
    put("a/b", bytes(10, 1));
    for (String name : invalidNames()) {
      String shown = name.length() > 20 ? name.substring(0, 20) + "..." : name;
      ByteBuffer data = ByteBuffer.wrap(bytes(10, 2));
      assertThrows(IllegalArgumentException.class, () -> backend.put(name, data, PutMode.CREATE_NEW), "put '" + shown + "'");
      assertThrows(IllegalArgumentException.class, () -> backend.put(name, data, PutMode.REPLACE), "put '" + shown + "'");
      assertThrows(IllegalArgumentException.class, () -> backend.get(name), "get '" + shown + "'");
      assertThrows(IllegalArgumentException.class, () -> backend.get(name, 0, 1), "range get '" + shown + "'");
      assertThrows(IllegalArgumentException.class, () -> backend.size(name), "size '" + shown + "'");
      assertThrows(IllegalArgumentException.class, () -> backend.delete(name), "delete '" + shown + "'");
    }
    assertEquals(Map.of("a/b", 10L), listing(""), "an invalid name stored, changed or deleted something");
    assertArrayEquals(bytes(10, 1), array(backend.get("a/b")));
  }

  @Test
  void theLongestAndOddestValidNamesWork() throws IOException {
    // 512 characters in segments a file system can hold (at most 255 bytes each)
    String longest = "d/" + "n".repeat(200) + "/" + "m".repeat(200) + "/" + "k".repeat(108);
    assertEquals(512, longest.length());
    put(longest, bytes(5, 1));
    put("A-z_0.9/..a/b..", bytes(6, 2));
    assertEquals(Map.of(longest, 5L, "A-z_0.9/..a/b..", 6L), listing(""));
  }

  // ------------------------------------------------------------------ concurrency and size

  @Test
  @Timeout(120)
  void concurrentPutsOfDifferentObjectsFromSeveralThreadsAllLand() throws Exception {
    AtomicInteger next = new AtomicInteger();
    concurrently(8, () -> {
      int t = next.getAndIncrement();
      for (int i = 0; i < 40; i++) {
        String name = "data/" + String.format("%02x", i) + "/t" + t + "-" + i;
        backend.put(name, ByteBuffer.wrap(bytes(1000 + i, t * 1000L + i)), PutMode.CREATE_NEW);
      }
      return null;
    });
    Map<String, Long> all = listing("data/");
    assertEquals(8 * 40, all.size(), "objects listed after concurrent puts");
    for (int t = 0; t < 8; t++) {
      for (int i = 0; i < 40; i++) {
        String name = "data/" + String.format("%02x", i) + "/t" + t + "-" + i;
        assertArrayEquals(bytes(1000 + i, t * 1000L + i), array(backend.get(name)), name);
      }
    }
  }

  @Test
  @Timeout(120)
  void concurrentCreateNewOfOneNameLetsExactlyOneWriterWin() throws Exception {
    for (int round = 0; round < 10; round++) {
      String name = "images/race-CYCLE_" + (round + 1);
      CyclicBarrier start = new CyclicBarrier(6);
      AtomicInteger ids = new AtomicInteger();
      List<Integer> winners = concurrently(6, () -> {
        int me = ids.getAndIncrement();
        start.await(30, TimeUnit.SECONDS);
        try {
          backend.put(name, ByteBuffer.wrap(bytes(4096, me)), PutMode.CREATE_NEW);
          return me;
        } catch (FileAlreadyExistsException e) {
          return -1;
        }
      });
      List<Integer> won = winners.stream().filter(w -> w >= 0).toList();
      assertEquals(1, won.size(), "writers that won CREATE_NEW of " + name + ": " + won);
      assertArrayEquals(bytes(4096, won.get(0)), array(backend.get(name)), "the stored object is the winner's");
    }
  }

  @Test
  @Timeout(120)
  void concurrentRangeReadsOfManyObjectsAllSucceed() throws Exception {
    int objects = 150;
    for (int i = 0; i < objects; i++) {
      put("data/" + String.format("%02x", i % 256) + "/p" + i, bytes(8192, i));
    }
    AtomicInteger seeds = new AtomicInteger();
    concurrently(6, () -> {
      SplittableRandom r = new SplittableRandom(seeds.incrementAndGet());
      for (int k = 0; k < 1500; k++) {
        int i = r.nextInt(objects);
        int off = r.nextInt(8192);
        int len = r.nextInt(8192 - off + 1);
        byte[] got = array(backend.get("data/" + String.format("%02x", i % 256) + "/p" + i, off, len));
        byte[] want = java.util.Arrays.copyOfRange(bytes(8192, i), off, off + len);
        if (!java.util.Arrays.equals(want, got)) {
          fail("range " + len + " bytes at " + off + " of p" + i + " differs");
        }
      }
      return null;
    });
  }

  @Test
  @Timeout(120)
  void aTwentyMebibyteObjectRoundTrips() throws IOException {
    int size = 20 << 20;
    byte[] big = bytes(size, SEED);
    put("data/ff/big", big);
    assertEquals(Optional.of((long) size), backend.size("data/ff/big"));
    assertArrayEquals(big, array(backend.get("data/ff/big")));
    assertArrayEquals(java.util.Arrays.copyOfRange(big, size - 12, size), array(backend.get("data/ff/big", size - 12, 12)));
    assertEquals(Map.of("data/ff/big", (long) size), listing("data/"));
  }

  @Test
  void locationIsNotBlankAndHoldsNoSecret() {
    String where = backend.location();
    assertFalse(where.isBlank(), "location() is blank");
    assertFalse(where.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token)=.*"), where);
  }
}
