package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.spi.Backend;
import dev.smc.transfer.remote.RawClient.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a receiver allows a connection nobody has authenticated ({@link ConnectionLimits}): its head
 * deadline, however slowly it keeps sending; the caps per address and in all, beyond which a new
 * connection is closed at once; a 401 that ends it. And what it allows an agent: the connection
 * outlives the deadline once a token was accepted on it, and agents' connections have a cap of
 * their own, answered with a 503 the agent retries.
 */
class ReceiverConnectionLimitsTest {
  private static final String TOKEN = "limits-token-r1-0123456789abcdef";
  private static final String INFO = "GET /v1/r1/info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n";

  @TempDir
  Path tmp;

  private static Socket tcp(TestReceiver r, String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", r.receiver.port()), 5_000);
    return s;
  }

  /**
   * Whether a new connection from {@code from} is ended by the receiver within 5 s (its 60 s head
   * deadline is far off): reset so fast that even the connect may report it.
   */
  private static boolean endedAtOnce(TestReceiver r, String from) throws IOException {
    Socket s;
    try {
      s = tcp(r, from);
    } catch (java.net.SocketException e) {
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return true; // the reset came before connect() returned
      }
      throw e;
    }
    try (s) {
      return endsWithin(s, Duration.ofSeconds(5));
    }
  }

  /** Whether the receiver ends {@code s} (end of stream or reset) within {@code max}. */
  private static boolean endsWithin(Socket s, Duration max) throws IOException {
    s.setSoTimeout((int) max.toMillis());
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void aConnectionWithoutAnAcceptedTokenIsClosedAtItsHeadDeadlineHoweverSlowlyItSends() throws Exception {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHeadDeadline(Duration.ofSeconds(1));
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), limits, "r1", TOKEN);
        Socket silent = tcp(receiver, "127.0.0.2");
        RawClient strangerKeptAlive = RawClient.connect(receiver.receiver, InetAddress.getByName("127.0.0.4"));
        RawClient agent = RawClient.connect(receiver.receiver)) {
      assertEquals(200, agent.send(INFO).status());
      Response notFound = strangerKeptAlive.send("GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(404, notFound.status(), "a request without a token that is not refused for it: " + notFound);

      // a byte every 200 ms: no read ever waits long, only the deadline can end it
      byte[] head = "GET /v1/r1/list HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(
          StandardCharsets.US_ASCII);
      RawClient dripping = RawClient.connect(receiver.receiver, InetAddress.getByName("127.0.0.3"));
      long start = System.nanoTime();
      int sent = 0;
      for (; sent < head.length && !dripping.endsWithin(Duration.ofMillis(200)); sent++) {
        try {
          dripping.write(new byte[] {head[sent]});
        } catch (IOException e) {
          break; // reset
        }
      }
      long dripHeld = (System.nanoTime() - start) / 1_000_000;
      dripping.close();
      assertTrue(sent < head.length, "a head sent a byte every 200 ms for " + dripHeld + " ms was not cut");
      assertTrue(dripHeld >= 300 && dripHeld < 4000, "the dripping connection was held " + dripHeld + " ms after its"
          + " handshake; its deadline is 1 s after its accept");
      assertTrue(endsWithin(silent, Duration.ofSeconds(3)), "a silent connection outlived its deadline by 2 s");
      assertTrue(strangerKeptAlive.endsWithin(Duration.ofSeconds(3)), "a connection kept alive after a request"
          + " without a token outlived the deadline by 2 s");

      // the agent's connection, authenticated by its first request, outlived the deadline
      assertFalse(agent.endsWithin(Duration.ofMillis(100)), "an agent's connection was closed at the deadline");
      assertEquals(200, agent.send(INFO).status(), "a second request on the agent's connection after the deadline");
      assertTrue(receiver.receiver.connectionsCutAtDeadline() >= 3, "connections cut at the deadline: "
          + receiver.receiver.connectionsCutAtDeadline());
    }
  }

  @Test
  void anAgentsUploadWhoseFirstPacedPieceWaitsPastTheDeadlineIsNotCut() throws Exception {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHeadDeadline(Duration.ofSeconds(1));
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), limits, "r1", TOKEN);
        HttpsBackend b = HttpsBackend.open(receiver.endpoint("r1"), receiver.options(TOKEN)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO))) { // no retries
      b.closeIdleConnections(); // the upload opens a new connection, unauthenticated until its head arrives
      AtomicBoolean first = new AtomicBoolean(true);
      Backend.Pacer slowLink = bytes -> {
        if (first.getAndSet(false)) {
          try {
            Thread.sleep(1500); // a slow limit: the first piece waits for its tokens past the 1 s deadline
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      byte[] body = new byte[200_000];
      b.put("pins/slow", ByteBuffer.wrap(body), Backend.PutMode.CREATE_NEW, slowLink);
      assertEquals(Optional.of((long) body.length), b.size("pins/slow"));
      assertEquals(0, receiver.receiver.connectionsCutAtDeadline());
    }
  }

  @Test
  void a401OrA403EndsTheConnection() throws Exception {
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", TOKEN, "r2", TOKEN.replace("r1", "r2"))) {
      String[][] cases = {{"wrong-token-0123456789abcdef", "401"}, {TOKEN.replace("r1", "r2"), "403"}};
      for (String[] c2 : cases) {
        try (RawClient c = RawClient.connect(receiver.receiver)) {
          Response r = c.send("GET /v1/r1/list HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + c2[0] + "\r\n\r\n");
          assertEquals(Integer.parseInt(c2[1]), r.status(), r.toString());
          assertTrue(c.endsWithin(Duration.ofSeconds(5)), "the connection stayed open after a " + r.status());
        }
      }
    }
  }

  @Test
  void overTheCapsPerAddressOrInAllANewConnectionIsClosedAtOnceAndTheOthersAreKept() throws Exception {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withHeadDeadline(Duration.ofSeconds(60)).withUnauthenticated(3, 5);
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), limits, "r1", TOKEN);
        RawClient agent = RawClient.connect(receiver.receiver)) {
      assertEquals(200, agent.send(INFO).status(), "an agent's connection does not count against the caps");
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          held.add(tcp(receiver, "127.0.0.2"));
        }
        assertTrue(endedAtOnce(receiver, "127.0.0.2"), "a 4th connection from one address (cap 3) was kept");
        held.add(tcp(receiver, "127.0.0.3"));
        held.add(tcp(receiver, "127.0.0.3"));
        assertTrue(endedAtOnce(receiver, "127.0.0.4"), "a 6th connection (cap 5 in all) was kept");
        for (Socket s : held) {
          assertFalse(endsWithin(s, Duration.ofMillis(100)), "a connection within the caps was closed: " + s);
        }
        assertEquals(200, agent.send(INFO).status(), "the agent's kept connection, with the caps reached");
        held.remove(0).close();
        assertEquals(200, eventually(() -> {
          try (RawClient another = RawClient.connect(receiver.receiver)) {
            return another.send(INFO).status();
          }
        }), "a new agent connection once a stranger's was closed");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void beyondTheCapOnAgentsConnectionsAnAuthorizedRequestGets503AndItsConnectionCloses() throws Exception {
    ConnectionLimits limits = ConnectionLimits.DEFAULTS.withAuthenticated(2);
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), limits, "r1", TOKEN);
        RawClient a = RawClient.connect(receiver.receiver);
        RawClient b = RawClient.connect(receiver.receiver);
        RawClient c = RawClient.connect(receiver.receiver)) {
      assertEquals(200, a.send(INFO).status());
      assertEquals(200, b.send(INFO).status());
      Response third = c.send(INFO);
      assertEquals(503, third.status(), third.toString());
      assertEquals("all 2 connections for agents are in use (--max-connections); retry", third.body());
      assertTrue(c.endsWithin(Duration.ofSeconds(5)), "the refused connection stayed open");
      a.close();
      assertEquals(200, eventually(() -> {
        try (RawClient d = RawClient.connect(receiver.receiver)) {
          return d.send(INFO).status();
        }
      }), "an agent's connection once another's ended");
    }
  }

  /**
   * Calls {@code attempt} until it answers 200, for up to 10 s: a connection the test closed is
   * released by the receiver's thread for it a moment later, and nothing outside can wait on that.
   */
  private static int eventually(java.util.concurrent.Callable<Integer> attempt) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status;
    while ((status = statusOf(attempt)) != 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return status;
  }

  private static int statusOf(java.util.concurrent.Callable<Integer> attempt) {
    try {
      return attempt.call();
    } catch (Exception e) {
      return -1; // closed at once: still over a cap
    }
  }
}
