package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gate's bookkeeping on its own: caps per address and in all, authentication moving a
 * connection out of them, the deadline closing only what is still unauthenticated, and refusals
 * logged once a minute per address however many there are.
 */
class ConnectionGateTest {
  private static final InetAddress A = address("127.0.0.2");
  private static final InetAddress B = address("127.0.0.3");

  private static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void capsPerAddressAndInAllRefuseAtOnceAndAuthenticatedConnectionsLeaveThem() {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHeadDeadline(Duration.ofMinutes(5))
        .withUnauthenticated(2, 3).withAuthenticated(1);
    try (ConnectionGate gate = new ConnectionGate(limits, "test")) {
      ConnectionGate.Ticket a1 = gate.admit(A, () -> { });
      ConnectionGate.Ticket a2 = gate.admit(A, () -> { });
      assertNotNull(a1);
      assertNotNull(a2);
      assertNull(gate.admit(A, () -> { }), "a third from A (cap 2 per address)");
      ConnectionGate.Ticket b1 = gate.admit(B, () -> { });
      assertNotNull(b1);
      assertNull(gate.admit(B, () -> { }), "a fourth in all (cap 3)");
      assertEquals(3, gate.unauthenticated());

      assertTrue(gate.authenticate(a1));
      assertTrue(gate.authenticate(a1), "authenticating twice is authenticated still");
      assertFalse(gate.authenticate(a2), "a second authenticated connection (cap 1)");
      assertEquals(2, gate.unauthenticated());
      assertEquals(1, gate.authenticated());
      assertNotNull(gate.admit(A, () -> { }), "A has room again once one of its connections is authenticated");

      gate.release(a1);
      gate.release(a1); // released twice: counted once
      assertEquals(0, gate.authenticated());
      assertTrue(gate.authenticate(a2));
    }
  }

  @Test
  void refusalsAreLoggedOnceAMinutePerAddress() {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withUnauthenticated(1, 2);
    try (ConnectionGate gate = new ConnectionGate(limits, "test")) {
      assertNotNull(gate.admit(A, () -> { }));
      assertNotNull(gate.admit(B, () -> { }));
      for (int i = 0; i < 500; i++) {
        assertNull(gate.admit(A, () -> { }));
        assertNull(gate.admit(B, () -> { }));
      }
      assertEquals(2, gate.refusalsLogged(), "1000 refusals from 2 addresses within a minute");
    }
  }

  @Test
  void theDeadlineClosesWhatIsStillUnauthenticatedAndNothingElse() throws Exception {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHeadDeadline(Duration.ofMillis(200));
    try (ConnectionGate gate = new ConnectionGate(limits, "test")) {
      CountDownLatch strangerClosed = new CountDownLatch(1);
      CountDownLatch agentClosed = new CountDownLatch(1);
      long start = System.nanoTime();
      ConnectionGate.Ticket stranger = gate.admit(A, strangerClosed::countDown);
      ConnectionGate.Ticket agent = gate.admit(B, agentClosed::countDown);
      assertTrue(gate.authenticate(agent));
      assertTrue(strangerClosed.await(5, TimeUnit.SECONDS), "the stranger was not closed at its deadline");
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took >= 150, "closed after " + took + " ms; its deadline is 200 ms");
      assertFalse(gate.authenticate(stranger), "authenticated after its deadline");
      assertEquals(1, gate.unauthenticated(), "counted until its connection ends");
      gate.release(stranger);
      assertEquals(0, gate.unauthenticated());
      assertEquals(1, gate.cutAtDeadline());
      assertFalse(agentClosed.await(300, TimeUnit.MILLISECONDS), "an authenticated connection was closed at the deadline");
    }
  }
}
