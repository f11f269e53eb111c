package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.NetworkMode;
import dev.smc.TaskId;
import dev.smc.spi.InstanceProvider;
import dev.smc.spi.InstanceProvider.TransitInstance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link InstanceProvider}: every implementation, smc's and a vendor's, extends
 * this class and implements {@link #newProvider()}; the inherited tests then prove what the
 * scheduler relies on: a transit belongs to the task it was created for and carries its endpoints,
 * {@link InstanceProvider#transits()} lists exactly what was created and not released (as it was
 * created, so that a later cycle sends through the listed instance), a release is found by the
 * instance's id alone and may be repeated, two tasks get two instances, several threads may create
 * and release at once, and nothing is leaked. {@code ensureRunning} and {@code isServing} are checked
 * as the SPI documents them, their defaults where the provider keeps the defaults.
 *
 * <p>After each test every transit still listed is released (so that a failed test leaves no paid
 * instance behind) and the test fails if there was one.
 *
 * <pre>
 * class CloudProviderTest extends InstanceProviderContract {
 *   protected InstanceProvider newProvider() { return new CloudProvider(regionForThisTest()); }
 * }
 * </pre>
 */
public abstract class InstanceProviderContract {
  private InstanceProvider provider;

  /** A new provider with no transit instance. Called once before each test. */
  protected abstract InstanceProvider newProvider() throws IOException;

  /** The provider of the running test. */
  protected final InstanceProvider provider() {
    return provider;
  }

  @BeforeEach
  final void openProviderUnderTest() throws IOException {
    provider = newProvider();
    assertEquals(List.of(), provider.transits(), "a new provider already lists transit instances");
  }

  @AfterEach
  final void releaseWhatTheTestLeft() throws IOException {
    List<TransitInstance> left = provider.transits();
    for (TransitInstance t : left) {
      provider.releaseTransit(t);
    }
    assertEquals(List.of(), ids(left), "transit instances the test left");
    assertEquals(List.of(), ids(provider.transits()), "transit instances listed after releasing every one");
  }

  private static List<String> ids(List<TransitInstance> ts) {
    return ts.stream().map(TransitInstance::id).sorted().toList();
  }

  /** The listed transits by id; fails when one is listed twice. */
  private Map<String, TransitInstance> listed() throws IOException {
    Map<String, TransitInstance> m = new TreeMap<>();
    for (TransitInstance t : provider.transits()) {
      if (m.put(t.id(), t) != null) {
        fail("transits() lists " + t.id() + " twice");
      }
    }
    return m;
  }

  /** Whether the provider replaces the SPI's default of {@code method}. */
  private boolean overrides(String method) {
    try {
      return provider.getClass().getMethod(method, TransitInstance.class).getDeclaringClass() != InstanceProvider.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  // ------------------------------------------------------------------ create and list

  @Test
  void aTransitBelongsToItsTaskAndCarriesItsEndpoints() throws IOException {
    TaskId task = new TaskId("t-web");
    TransitInstance t = provider.createTransit(task);
    assertFalse(t.id().isBlank(), "the id is blank");
    assertEquals(task, t.task(), "the transit's task");
    assertFalse(t.publicEndpoint().isBlank(), "the public endpoint is blank");
    assertFalse(t.privateEndpoint().isBlank(), "the private endpoint is blank");
    assertEquals(t.publicEndpoint(), t.endpoint());
    assertEquals(t.publicEndpoint(), t.endpoint(NetworkMode.publicNetwork()));
    assertEquals(t.privateEndpoint(), t.endpoint(NetworkMode.privateNetwork("vpc-1", "vsw-1")));
    if (t.access().isPresent()) {
      InstanceProvider.Access a = t.access().get();
      assertFalse(a.token().isBlank(), "the access token is blank");
      assertTrue(a.pin().matches("sha256:[0-9a-fA-F]{64}"), "the pin is not sha256:HEX: " + a.pin());
      assertFalse(t.toString().contains(a.token()), "toString() prints the token");
    }
    provider.releaseTransit(t);
  }

  @Test
  void transitsListsWhatWasCreatedAsItWasCreated() throws IOException {
    TransitInstance a = provider.createTransit(new TaskId("t-a"));
    TransitInstance b = provider.createTransit(new TaskId("t-b"));
    Map<String, TransitInstance> listed = listed();
    assertEquals(Set.of(a.id(), b.id()), listed.keySet());
    // a later cycle sends through the listed instance: its endpoints and credentials must be the created ones
    assertEquals(a, listed.get(a.id()));
    assertEquals(b, listed.get(b.id()));
    provider.releaseTransit(a);
    provider.releaseTransit(b);
  }

  @Test
  void twoTasksGetTwoInstances() throws IOException {
    TransitInstance a = provider.createTransit(new TaskId("t-one"));
    TransitInstance b = provider.createTransit(new TaskId("t-two"));
    assertNotEquals(a.id(), b.id(), "two tasks were given one instance");
    assertEquals(new TaskId("t-one"), a.task());
    assertEquals(new TaskId("t-two"), b.task());
    if (a.access().isPresent() && b.access().isPresent()) {
      assertNotEquals(a.access().get().token(), b.access().get().token(), "two tasks share a token");
    }
    provider.releaseTransit(a);
    provider.releaseTransit(b);
  }

  // ------------------------------------------------------------------ release

  @Test
  void releaseRemovesTheTransitAndMayBeRepeated() throws IOException {
    TransitInstance a = provider.createTransit(new TaskId("t-a"));
    TransitInstance b = provider.createTransit(new TaskId("t-b"));
    provider.releaseTransit(a);
    assertEquals(Set.of(b.id()), listed().keySet());
    provider.releaseTransit(a); // releasing one already released is not an error
    assertEquals(Set.of(b.id()), listed().keySet());
    provider.releaseTransit(b);
    provider.releaseTransit(b);
    assertEquals(Map.of(), listed());
  }

  @Test
  void releaseFindsTheTransitByItsIdAlone() throws IOException {
    // what the scheduler does when it knows only the id it recorded in the task
    TransitInstance t = provider.createTransit(new TaskId("t-rec"));
    provider.releaseTransit(new TransitInstance(t.id(), t.task(), ""));
    assertEquals(Map.of(), listed(), "a release by id left the transit listed");
    provider.releaseTransit(t);
  }

  @Test
  void releasingOneTransitLeavesTheOtherAsItWas() throws IOException {
    TransitInstance a = provider.createTransit(new TaskId("t-a"));
    TransitInstance b = provider.createTransit(new TaskId("t-b"));
    provider.releaseTransit(a);
    assertEquals(b, listed().get(b.id()));
    assertTrue(provider.isServing(b), "the other transit stopped serving");
    TransitInstance now = provider.ensureRunning(b);
    assertEquals(b.endpoint(), now.endpoint(), "the other transit's endpoint moved");
    provider.releaseTransit(b);
  }

  @Test
  void noTransitIsLeakedOnceEveryOneIsReleased() throws IOException {
    List<TransitInstance> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(provider.createTransit(new TaskId("t-leak-" + i)));
    }
    for (TransitInstance t : made) {
      provider.releaseTransit(t);
    }
    assertEquals(Map.of(), listed());
    if (overrides("isServing")) {
      for (TransitInstance t : made) {
        assertFalse(provider.isServing(t), "released " + t.id() + " still serves");
      }
    }
  }

  // ------------------------------------------------------------------ ensureRunning and isServing

  @Test
  void aNewTransitServesAndEnsureRunningKeepsItAsItIs() throws IOException {
    TransitInstance t = provider.createTransit(new TaskId("t-run"));
    assertTrue(provider.isServing(t), "a new transit does not serve");
    TransitInstance now = provider.ensureRunning(t);
    if (!overrides("ensureRunning")) {
      assertSame(t, now, "the default ensureRunning returns the instance unchanged");
    }
    assertEquals(t.id(), now.id());
    assertEquals(t.task(), now.task());
    assertEquals(t.endpoint(), now.endpoint(), "ensureRunning of a serving transit moved its endpoint");
    assertEquals(t.privateEndpoint(), now.privateEndpoint());
    assertTrue(provider.isServing(now));
    assertEquals(Set.of(t.id()), listed().keySet(), "ensureRunning made or dropped a transit");
    assertEquals(now, listed().get(t.id()), "transits() lists the instance as ensureRunning returned it");
    provider.releaseTransit(now);
  }

  @Test
  void theListedInstanceIsOneThatEnsureRunningAndReleaseAccept() throws IOException {
    TransitInstance made = provider.createTransit(new TaskId("t-listed"));
    TransitInstance listed = listed().get(made.id());
    assertTrue(provider.isServing(listed));
    assertEquals(made.endpoint(), provider.ensureRunning(listed).endpoint());
    provider.releaseTransit(listed);
    assertEquals(Map.of(), listed());
  }

  // ------------------------------------------------------------------ threads

  @Test
  @Timeout(300)
  void severalThreadsCreateAndReleaseAtOnce() throws Exception {
    int threads = 4;
    List<TransitInstance> made = Concurrently.run(threads, i -> provider.createTransit(new TaskId("t-par-" + i)), 240);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < threads; i++) {
      assertEquals(new TaskId("t-par-" + i), made.get(i).task());
      assertTrue(ids.add(made.get(i).id()), "two threads were given " + made.get(i).id());
    }
    assertEquals(ids, listed().keySet());
    for (TransitInstance t : made) {
      assertTrue(provider.isServing(t), t.id() + " made among others does not serve");
    }
    Concurrently.run(threads, i -> {
      provider.releaseTransit(made.get(i));
      return null;
    }, 240);
    assertEquals(Map.of(), listed());
  }
}
