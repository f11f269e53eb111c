package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.transfer.remote.RawClient.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request heads a receiver refuses before it reads a body or stores anything: anything that would
 * let two readers of the same bytes disagree on where a request ends or whose it is (the basis of
 * request smuggling) is a 400, a head too large a 431 (a request line too long a 414), each with a
 * one-line reason, and then the connection is closed. Every file below the receiver's root is the
 * same after each test as before.
 */
class ReceiverRequestHeadTest {
  private static final String TOKEN = "head-token-r1-0123456789abcdef";
  private static final String PUT = "PUT /v1/r1/o/pins/smuggled?mode=replace HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
      + TOKEN + "\r\n";
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  @TempDir
  static Path dir;
  private static TestReceiver receiver;
  private Map<String, String> before;

  @BeforeAll
  static void start() throws IOException {
    receiver = new TestReceiver(dir.resolve("receiver"), "r1", TOKEN);
    try (HttpsBackend b = receiver.open("r1", TOKEN)) {
      b.put("pins/kept", java.nio.ByteBuffer.wrap(HELLO), dev.smc.spi.Backend.PutMode.CREATE_NEW);
    }
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @BeforeEach
  void snapshot() throws IOException {
    before = CycleChecks.folderState(receiver.root);
  }

  @AfterEach
  void nothingChanged() throws IOException {
    assertEquals(before, CycleChecks.folderState(receiver.root), "files below the receiver's root after a refused head");
  }

  /** Sends {@code head} (and "hello") on a new connection: the refusal, which must close the connection. */
  private static Response refused(String head) throws Exception {
    try (RawClient c = RawClient.connect(receiver.receiver)) {
      Response r = c.send(head, HELLO, false);
      assertTrue(c.endsWithin(Duration.ofSeconds(5)), "the connection stayed open after " + r + " for: " + head);
      return r;
    }
  }

  @Test
  void aRepeatedContentLengthAndAnyLengthButPlainDigitsAreRefusedWith400() throws Exception {
    Response twice = refused(PUT + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n");
    assertEquals(400, twice.status(), twice.toString());
    assertEquals("header Content-Length given twice ('5' and '6'); allowed once", twice.body());
    Response same = refused(PUT + "Content-Length: 5\r\ncontent-length: 5\r\n\r\n");
    assertEquals(400, same.status(), "the same length twice: " + same);

    for (String value : List.of("+5", "-0", " 5", "5 ", "0x5", "5,5", "5 5", "", "1e1", "\t5",
        "12345678901234567890")) {
      Response r = refused(PUT + "Content-Length: " + value + "\r\n\r\n");
      assertEquals(400, r.status(), "Content-Length '" + value + "': " + r);
      assertEquals("Content-Length '" + value + "': allowed 1-19 decimal digits (0-9) and nothing else", r.body());
    }
    Response huge = refused(PUT + "Content-Length: 9999999999999999999\r\n\r\n");
    assertEquals(400, huge.status(), huge.toString());
    assertEquals("Content-Length '9999999999999999999': allowed at most " + Long.MAX_VALUE, huge.body());

    Response both = refused(PUT + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertEquals(400, both.status(), both.toString());
    assertTrue(both.body().startsWith("Content-Length together with Transfer-Encoding"), both.body());

    Response spaced = refused(PUT + "Content-Length : 5\r\n\r\n");
    assertEquals(400, spaced.status(), "a space before the colon: " + spaced);
    assertTrue(spaced.body().startsWith("malformed header line"), spaced.body());
    Response folded = refused(PUT + "Content-Length: 5\r\n 6\r\n\r\n");
    assertEquals(400, folded.status(), "a folded line: " + folded);
    Response bareCr = refused(PUT + "Content-Length: 5\rX-Other: 1\r\n\r\n");
    assertEquals(400, bareCr.status(), "a bare CR: " + bareCr);
  }

  @Test
  void aRepeatedAuthorizationHostOrRangeIsRefusedWith400WithoutShowingTheToken() throws Exception {
    Response auth = refused("GET /v1/r1/list HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
        + "\r\nAuthorization: Bearer other-token-0123456789abcdef\r\n\r\n");
    assertEquals(400, auth.status(), auth.toString());
    assertEquals("header Authorization given twice; allowed once", auth.body());
    Response host = refused("GET /v1/r1/list HTTP/1.1\r\nHost: x\r\nHost: y\r\nAuthorization: Bearer " + TOKEN
        + "\r\n\r\n");
    assertEquals(400, host.status(), host.toString());
    assertEquals("header Host given twice ('x' and 'y'); allowed once", host.body());
    Response range = refused("GET /v1/r1/o/pins/kept HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
        + "\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n");
    assertEquals(400, range.status(), range.toString());
  }

  @Test
  void aHeaderOver8KiBOrHeadersOver16KiBGet431AndARequestLineOver8KiB414ThenTheConnectionCloses() throws Exception {
    String get = "GET /v1/r1/info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n";
    Response line = refused(get + "X-Big: " + "a".repeat(9000) + "\r\n\r\n");
    assertEquals(431, line.status(), line.toString());
    assertEquals("a header line longer than 8192 bytes; allowed at most 8192", line.body());

    String sixK = "a".repeat(6000);
    Response all = refused(get + "X-A: " + sixK + "\r\nX-B: " + sixK + "\r\nX-C: " + sixK + "\r\n\r\n");
    assertEquals(431, all.status(), all.toString());
    assertEquals("headers of more than 16384 bytes in all; allowed at most 16384", all.body());

    Response many = refused(get + "X-N: 1\r\n".repeat(101) + "\r\n");
    assertEquals(431, many.status(), many.toString());
    assertEquals("more than 100 headers; allowed at most 100", many.body());

    Response target = refused("GET /v1/r1/o/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(414, target.status(), target.toString());
    assertEquals("request line longer than 8192 bytes; allowed at most 8192", target.body());
  }

  @Test
  void aHeaderOfExactly8KiBIsServedOnAConnectionThatStaysOpen() throws Exception {
    String name = "X-Just-So: ";
    String header = name + "a".repeat(8192 - name.length());
    try (RawClient c = RawClient.connect(receiver.receiver)) {
      Response r = c.send("GET /v1/r1/info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n" + header
          + "\r\n\r\n");
      assertEquals(200, r.status(), r.toString());
      assertFalse(c.endsWithin(Duration.ofMillis(300)), "the connection was closed after a head within the limits");
      Response again = c.send("GET /v1/r1/o/pins/kept HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
          + "\r\n\r\n");
      assertEquals(new Response(200, "hello"), again);
    }
  }
}
