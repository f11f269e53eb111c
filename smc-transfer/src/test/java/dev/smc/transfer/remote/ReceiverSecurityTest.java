package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.testkit.FaultProxy;
import dev.smc.testkit.FaultProxy.Direction;
import dev.smc.transfer.remote.RawClient.Response;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a receiver refuses, and that a refusal changes nothing: every file below its root (path,
 * size and SHA-256) is the same after each test as before. Requests go through {@link HttpsBackend}
 * where it can send them, and raw over a TLS socket that trusts the pinned certificate where it
 * would refuse to (no token, names that climb out of a repository, oversized or chunked bodies).
 * Each refusal has a status and a message that says what was wrong.
 */
class ReceiverSecurityTest {
  private static final String T1 = "security-token-r1-0123456789abcdef";
  private static final String T2 = "security-token-r2-0123456789abcdef";

  @TempDir
  static Path dir;
  private static TestReceiver receiver;
  private Map<String, String> before;

  @BeforeAll
  static void start() throws IOException {
    receiver = new TestReceiver(dir.resolve("receiver"), "r1", T1, "r2", T2);
    Path src = CycleChecks.smallTree(dir.resolve("src"), 3);
    try (Repository r1 = CycleChecks.repository(receiver.open("r1", T1))) {
      CycleChecks.cycle(r1, src, "web", TransferOptions.DEFAULTS);
    }
    try (Repository r2 = CycleChecks.repository(receiver.open("r2", T2))) {
      r2.images(); // r2 exists (its config), empty
    }
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @BeforeEach
  void snapshot() throws IOException {
    before = CycleChecks.folderState(receiver.root);
    assertTrue(before.keySet().stream().anyMatch(p -> p.startsWith("r1/data/")), "r1 holds packs: " + before.keySet());
  }

  @AfterEach
  void nothingChanged() throws IOException {
    assertEquals(before, CycleChecks.folderState(receiver.root), "files below the receiver's root after a refusal");
  }

  // ---------------------------------------------------------------- tokens

  @Test
  void aRequestWithoutAKnownTokenIsRefusedWith401() throws Exception {
    Response none = raw("GET /v1/r1/list HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(401, none.status(), none.toString());
    assertTrue(none.body().contains("no token: send 'Authorization: Bearer TOKEN'"), none.body());

    Response putNone = raw(put("/v1/r1/o/pins/x", null, 1), new byte[] {'x'});
    assertEquals(401, putNone.status(), putNone.toString());

    Response basic = raw("GET /v1/r1/list HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n");
    assertEquals(401, basic.status(), basic.toString());

    Response wrong = raw(put("/v1/r1/o/pins/x", "wrong-token-0123456789abcdef", 1), new byte[] {'x'});
    assertEquals(401, wrong.status(), wrong.toString());
    assertTrue(wrong.body().contains("token not accepted for repository 'r1'"), wrong.body());

    SmcException e = assertThrows(SmcException.class, () -> receiver.open("r1", "wrong-token-0123456789abcdef"));
    assertEquals(ErrorCode.UNAUTHORIZED, e.code());
    assertTrue(e.getMessage().contains("401 token not accepted for repository 'r1'"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-token"), "the message shows the token: " + e.getMessage());
  }

  @Test
  void theTokenOfAnotherRepositoryIsRefusedWith403() throws Exception {
    SmcException e = assertThrows(SmcException.class, () -> receiver.open("r1", T2));
    assertEquals(ErrorCode.UNAUTHORIZED, e.code());
    assertTrue(e.getMessage().contains("403 the token is not allowed repository 'r1'"), e.getMessage());

    Response put = raw(put("/v1/r1/o/pins/x", T2, 1), new byte[] {'x'});
    assertEquals(403, put.status(), put.toString());
    Response delete = raw("DELETE /v1/r1/o/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + T2 + "\r\n\r\n");
    assertEquals(403, delete.status(), delete.toString());
    Response list = raw(get("/v1/r1/list?prefix=data/", T2));
    assertEquals(403, list.status(), list.toString());
  }

  // ---------------------------------------------------------------- names

  @Test
  void namesThatClimbOutOfARepositoryAreRefusedWith400BeforeAnythingIsOpened() throws Exception {
    List<String> targets = List.of(
        "/v1/r1/o/../../etc/passwd",
        "/v1/r1/o/../../../../../../etc/passwd",
        "/v1/r1/o/%2e%2e/%2e%2e/etc/passwd",
        "/v1/r1/o/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/v1/r1/o/..%2f..%2fetc%2fpasswd",
        "/v1/r1/o/data/../../r2/config",
        "/v1/r1/o//etc/passwd",
        "/v1/r1/o/./config",
        "/v1/r1/o/data/..",
        "/v1/r1/o/config%00.txt",
        "/v1/r1/o/..\\..\\etc\\passwd",
        "/v1/r1/list?prefix=../",
        "/v1/r1/list?prefix=%2e%2e%2f",
        "/v1/../o/config",
        "/v1/%2e%2e/o/config",
        "/v1/./o/config");
    for (String target : targets) {
      Response r = raw(get(target, T1));
      assertEquals(400, r.status(), "GET " + target + ": " + r);
      assertTrue(Stream.of("object name '", "repository name '", "prefix: object name '").anyMatch(r.body()::startsWith),
          "GET " + target + ": the refusal names what was refused: " + r);
      assertFalse(r.body().contains("root:"), "GET " + target + " answered with a system file: " + r);
    }
    Response up = raw(get("/v1/r1/../r2/o/config", T1));
    assertEquals(404, up.status(), "a path that climbs above its repository's API: " + up);

    Response put = raw(put("/v1/r1/o/../r2/config?mode=replace", T1, 5), "hello".getBytes(StandardCharsets.US_ASCII));
    assertEquals(400, put.status(), put.toString());
    Response putOut = raw(put("/v1/r1/o/../../../outside?mode=replace", T1, 5), "hello".getBytes(StandardCharsets.US_ASCII));
    assertEquals(400, putOut.status(), putOut.toString());
    Response delete = raw("DELETE /v1/r1/o/../r2/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + T1 + "\r\n\r\n");
    assertEquals(400, delete.status(), delete.toString());
    assertFalse(Files.exists(dir.resolve("outside")), "a file was written outside the receiver's root");
  }

  // ---------------------------------------------------------------- bodies

  @Test
  void aBodyOverTheLimitIsRefusedWith413AndOneWithoutALengthWith411() throws Exception {
    long over = Receiver.Config.DEFAULT_MAX_BODY + 1L;
    Response big = raw(put("/v1/r1/o/pins/big", T1, over), new byte[0]);
    assertEquals(413, big.status(), big.toString());
    assertTrue(big.body().contains("body of " + over + " bytes; at most " + Receiver.Config.DEFAULT_MAX_BODY + " allowed"),
        big.body());

    Response chunked = raw("PUT /v1/r1/o/pins/c HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + T1
        + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    assertEquals(411, chunked.status(), chunked.toString());
    assertTrue(chunked.body().contains("Content-Length (chunked bodies are not accepted)"), chunked.body());

    Response noLength = raw("PUT /v1/r1/o/pins/n HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + T1 + "\r\n\r\n");
    assertEquals(411, noLength.status(), noLength.toString());

    Response cut = raw(put("/v1/r1/o/pins/short", T1, 1000), new byte[10], true);
    assertFalse(cut.status() >= 200 && cut.status() < 300, "an upload that ended 990 bytes short was taken: " + cut);
  }

  @Test
  void aPackOrIndexWhoseContentDoesNotMatchItsNameIsRefusedWith422() throws Exception {
    Path packFile;
    try (Stream<Path> s = Files.walk(receiver.folder("r1").resolve("data"))) {
      packFile = s.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
    String packName = receiver.folder("r1").relativize(packFile).toString();
    byte[] pack = Files.readAllBytes(packFile);
    byte[] tampered = pack.clone();
    tampered[pack.length / 3] ^= 0x5a; // inside chunk data, before the trailer that names the pack
    String hex = packName.substring(packName.lastIndexOf('/') + 1);
    String other = hex.startsWith("ab") ? "cd" : "ab";
    String otherPack = "data/" + other + "/" + other + hex.substring(2); // a valid pack under a name not its own
    byte[] index = "not really an index".getBytes(StandardCharsets.US_ASCII);
    String indexName = "index/" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1}));

    try (Backend r1 = receiver.open("r1", T1); Backend r2 = receiver.open("r2", T2)) {
      IOException sameName = assertThrows(IOException.class,
          () -> r1.put(packName, ByteBuffer.wrap(tampered), Backend.PutMode.REPLACE));
      assertTrue(sameName.getMessage().contains("422"), sameName.getMessage());
      IOException elsewhere = assertThrows(IOException.class,
          () -> r2.put(packName, ByteBuffer.wrap(tampered), Backend.PutMode.CREATE_NEW));
      assertTrue(elsewhere.getMessage().contains("422") && elsewhere.getMessage().contains(packName),
          elsewhere.getMessage());
      IOException renamed = assertThrows(IOException.class,
          () -> r2.put(otherPack, ByteBuffer.wrap(pack), Backend.PutMode.CREATE_NEW));
      assertTrue(renamed.getMessage().contains("422"), renamed.getMessage());
      IOException badIndex = assertThrows(IOException.class,
          () -> r2.put(indexName, ByteBuffer.wrap(index), Backend.PutMode.CREATE_NEW));
      assertTrue(badIndex.getMessage().contains("422") && badIndex.getMessage().contains("content does not match"),
          badIndex.getMessage());
      assertEquals(Optional.empty(), r2.size(packName));
    }
  }

  @Test
  void anIndexOrAManifestIsStoredOnlyIfItParsesAsOneUnderItsOwnNameAndIsRefusedWith422Otherwise() throws Exception {
    byte[] garbage = "not an index, though named by the SHA-256 of its bytes".getBytes(StandardCharsets.US_ASCII);
    byte[] bigGarbage = new byte[3 << 20]; // past 1 MiB: checked from the file it is staged in
    new java.util.SplittableRandom(5).nextBytes(bigGarbage);
    byte[] manifest = Files.readAllBytes(receiver.folder("r1").resolve("images/web-CYCLE_1"));
    try (Backend r1 = receiver.open("r1", T1); Backend r2 = receiver.open("r2", T2)) {
      for (byte[] index : List.of(garbage, bigGarbage)) {
        String name = "index/" + sha256Hex(index);
        IOException e = assertThrows(IOException.class, () -> r2.put(name, ByteBuffer.wrap(index), Backend.PutMode.CREATE_NEW),
            "an index of " + index.length + " bytes that does not parse was stored");
        assertTrue(e.getMessage().contains("422 index " + name + ": not an index file (bad magic)"), e.getMessage());
        assertEquals(Optional.empty(), r2.size(name));
      }
      for (String other : List.of("images/web-CYCLE_2", "images/db-CYCLE_1")) {
        IOException e = assertThrows(IOException.class,
            () -> r1.put(other, ByteBuffer.wrap(manifest), Backend.PutMode.CREATE_NEW),
            "the manifest of web-CYCLE_1 was stored as " + other);
        assertTrue(e.getMessage().contains("422 image " + other + ": it holds the manifest of image web-CYCLE_1"),
            e.getMessage());
        assertEquals(Optional.empty(), r1.size(other));
      }
      IOException garbled = assertThrows(IOException.class,
          () -> r2.put("images/web-CYCLE_1", ByteBuffer.wrap(garbage), Backend.PutMode.CREATE_NEW));
      assertTrue(garbled.getMessage().contains("422 image images/web-CYCLE_1: not an image manifest"),
          garbled.getMessage());
    }
  }

  private static String sha256Hex(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  // ---------------------------------------------------------------- the certificate

  @Test
  void aWrongPinFailsUnauthorizedNamingBothFingerprintsBeforeAnyRequestIsSent() throws Exception {
    String wrongPin = "sha256:" + "00".repeat(32);
    try (FaultProxy proxy = FaultProxy.start(new InetSocketAddress("127.0.0.1", receiver.receiver.port()))) {
      HttpsBackend.Options o = HttpsBackend.Options.of(T1, Optional.of(wrongPin))
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20));
      SmcException e = assertThrows(SmcException.class,
          () -> HttpsBackend.open("https://127.0.0.1:" + proxy.port() + "/r1", o));
      assertEquals(ErrorCode.UNAUTHORIZED, e.code());
      assertTrue(e.getMessage().contains(receiver.receiver.fingerprint()) && e.getMessage().contains(wrongPin),
          "the message names both fingerprints: " + e.getMessage());
      // the handshake failed at the client, before a request (and its token) could follow: one
      // connection, not retried, and no more than a TLS client's greeting and its alert went up
      assertEquals(1, proxy.connections(), "connections for a pin that does not match");
      assertTrue(proxy.bytes(Direction.UPSTREAM) < 4096, proxy.bytes(Direction.UPSTREAM) + " bytes sent");
    }
  }

  // ---------------------------------------------------------------- raw requests

  private static String get(String target, String token) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  }

  private static String put(String target, String token, long length) {
    return "PUT " + target + " HTTP/1.1\r\nHost: x\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + "Content-Length: " + length + "\r\n\r\n";
  }

  private static Response raw(String head) throws Exception {
    return RawClient.exchange(receiver.receiver, head, new byte[0], false);
  }

  private static Response raw(String head, byte[] body) throws Exception {
    return RawClient.exchange(receiver.receiver, head, body, false);
  }

  private static Response raw(String head, byte[] body, boolean end) throws Exception {
    return RawClient.exchange(receiver.receiver, head, body, end);
  }
}
