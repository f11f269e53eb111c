package dev.smc.transfer.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.spi.Backend;
import dev.smc.spi.Backend.PutMode;
import dev.smc.testkit.BackendContract;
import dev.smc.testkit.FaultyBackend;
import dev.smc.testkit.FaultyBackend.InjectedFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An unarmed FaultyBackend is a faithful Backend; armed, it fails exactly as asked. */
class FaultyBackendTest extends BackendContract {
  private final InMemoryBackend inner = new InMemoryBackend();

  @Override
  protected Backend newBackend() {
    return new FaultyBackend(inner);
  }

  private FaultyBackend faulty() {
    return (FaultyBackend) backend();
  }

  private void put(String name) throws IOException {
    backend().put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_NEW);
  }

  @Test
  void failsOnlyTheNthPut() throws IOException {
    faulty().failNthPut(2);
    put("a");
    assertThrows(InjectedFault.class, () -> put("b"));
    put("c");
    assertEquals(List.of("b"), faulty().failedPuts());
    assertEquals(Optional.empty(), inner.size("b"), "a failed put stored its object");
    assertEquals(3, faulty().puts());
  }

  @Test
  void failsEveryPutUnderAPrefixUntilDisarmed() throws IOException {
    faulty().failPutsStartingWith("index/");
    put("data/x");
    assertThrows(InjectedFault.class, () -> put("index/1"));
    assertThrows(InjectedFault.class, () -> put("index/2"));
    backend().get("data/x");
    faulty().disarm();
    put("index/1");
    assertEquals(2, faulty().failures());
  }

  @Test
  void aCrashFailsThatPutAndEveryLaterCallUntilDisarmed() throws IOException {
    faulty().crashAtPut(2);
    put("a");
    assertFalse(faulty().crashed());
    assertThrows(InjectedFault.class, () -> put("b"));
    assertTrue(faulty().crashed());
    assertThrows(InjectedFault.class, () -> backend().get("a"));
    assertThrows(InjectedFault.class, () -> backend().get("a", 0, 1));
    assertThrows(InjectedFault.class, () -> backend().size("a"));
    assertThrows(InjectedFault.class, () -> backend().list(""));
    assertThrows(InjectedFault.class, () -> backend().delete("a"));
    assertThrows(InjectedFault.class, () -> backend().barrier());
    assertThrows(InjectedFault.class, () -> put("c"));
    faulty().disarm();
    assertEquals(List.of("a 3"), backend().list("").stream().map(o -> o.name() + " " + o.size()).toList());
  }

  @Test
  void aCrashAtADeleteFailsItAndEveryLaterCall() throws IOException {
    put("a");
    put("b");
    faulty().crashAtDelete(2);
    backend().delete("a");
    assertThrows(InjectedFault.class, () -> backend().delete("b"));
    assertEquals(Optional.of(3L), inner.size("b"), "the crashing delete deleted");
    assertThrows(InjectedFault.class, () -> backend().get("b"));
    assertEquals(2, faulty().deletes());
    faulty().disarm();
    assertEquals(List.of("b 3"), backend().list("").stream().map(o -> o.name() + " " + o.size()).toList());
  }

  @Test
  void aLandingFailureStoresTheObjectAndStillFails() throws IOException {
    faulty().landFailingPuts(true).failNthPut(1);
    assertThrows(InjectedFault.class, () -> put("landed"));
    assertEquals(Optional.of(3L), inner.size("landed"));
  }

  @Test
  void aRandomCrashPointDependsOnlyOnTheSeedAndLiesWithinTheBound() {
    for (long seed = 0; seed < 200; seed++) {
      int n = new FaultyBackend(new InMemoryBackend()).crashAtRandomPut(seed, 17);
      assertTrue(n >= 1 && n <= 17, "crash point " + n + " for seed " + seed);
      assertEquals(n, new FaultyBackend(new InMemoryBackend()).crashAtRandomPut(seed, 17));
    }
    assertEquals(1, new FaultyBackend(new InMemoryBackend()).crashAtRandomPut(99, 1));
  }

  @Test
  void forwardsBarriersToTheDecoratedBackend() throws IOException {
    int[] barriers = {0};
    FaultyBackend f = new FaultyBackend(new ForwardingCounter(inner, barriers));
    f.barrier();
    f.barrier();
    assertEquals(2, barriers[0], "barriers that reached the decorated backend");
  }

  /** Counts barriers, forwards everything else. */
  private record ForwardingCounter(Backend d, int[] barriers) implements Backend {
    @Override
    public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
      d.put(name, data, mode);
    }

    @Override
    public void barrier() {
      barriers[0]++;
    }

    @Override
    public ByteBuffer get(String name) throws IOException {
      return d.get(name);
    }

    @Override
    public ByteBuffer get(String name, long offset, int length) throws IOException {
      return d.get(name, offset, length);
    }

    @Override
    public Optional<Long> size(String name) throws IOException {
      return d.size(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
      return d.list(prefix);
    }

    @Override
    public void delete(String name) throws IOException {
      d.delete(name);
    }

    @Override
    public String location() {
      return d.location();
    }

    @Override
    public void close() {}
  }

  @Test
  void invalidNamesAreRejectedBeforeTheyCountAsPuts() {
    faulty().failNthPut(1);
    assertThrows(IllegalArgumentException.class, () -> put("../x"));
    assertEquals(0, faulty().puts());
  }

  @Test
  void crashAtCallCountsCallsOfEveryKindAndFailsFromThatOneOn() throws IOException {
    faulty().recordCalls().crashAtCall(4);
    put("a");                 // 1
    backend().get("a");       // 2
    backend().list("");       // 3
    assertThrows(InjectedFault.class, () -> backend().size("a")); // 4: the crash
    assertThrows(InjectedFault.class, () -> backend().get("a"));
    assertEquals(Optional.of("size a"), faulty().faultedCall());
    assertEquals(List.of("put a", "get a", "list ", "size a"), faulty().callLog());
    assertTrue(faulty().crashed());
    faulty().disarm();
    assertEquals(0, faulty().calls());
    backend().get("a");
  }

  @Test
  void failCallOnceFailsOneCallAndALandingPutStillStores() throws IOException {
    faulty().failCallOnce(2).landFailingPuts(true);
    put("a");
    assertThrows(InjectedFault.class, () -> put("b"));
    put("c");
    assertEquals(Optional.of(3L), inner.size("b"), "the failing put landed");
    assertFalse(faulty().crashed());
    assertEquals(List.of("b"), faulty().failedPuts());
  }

  @Test
  void atCallRunsItsActionOnceBeforeThatCall() throws IOException {
    int[] seen = new int[1];
    faulty().atCall(2, () -> seen[0] = faulty().calls());
    put("a");
    backend().get("a");
    backend().get("a");
    assertEquals(2, seen[0], "the action ran as the second call arrived");
  }
}
