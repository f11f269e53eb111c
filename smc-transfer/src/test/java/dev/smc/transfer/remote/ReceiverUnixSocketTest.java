package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver's Unix socket: agents of its user on this machine send over it without TLS, still
 * with their token; a pack that came on it is checked whole (trailer against name, structure) but
 * its chunks are not hashed again, where the same pack over HTTPS is refused; the socket file is
 * the owner's alone, one left by a dead receiver is replaced, one a live receiver holds is not, and
 * a process of another user is turned away by the kernel's word on who it is.
 */
class ReceiverUnixSocketTest {
  private static final String TOKEN = "unix-socket-token-0123456789abcdef";

  @TempDir
  Path dir;

  private TestReceiver receiver(String... pairs) throws IOException {
    TestReceiver r = new TestReceiver(dir.resolve("receiver"), pairs);
    r.unix = dir.resolve("receiver").resolve("r.sock");
    r.restart();
    return r;
  }

  @Test
  void aCycleOverTheSocketRestoresExactlyAndTheSocketIsTheOwnersAlone() throws Exception {
    try (TestReceiver r = receiver("r1", TOKEN)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.unix)));
      Path src = CycleChecks.smallTree(dir.resolve("src"), 7);
      try (Backend b = r.openUnix("r1", TOKEN); Repository repo = CycleChecks.repository(b)) {
        assertTrue(b.location().startsWith("http+unix://%2F"), b.location());
        CycleChecks.cycle(repo, src, "web", TransferOptions.DEFAULTS);
      }
      try (Backend b = r.openUnix("r1", TOKEN)) {
        CycleChecks.assertRestoresAndChecksClean(b, r.folder("r1"), Map.of(new ImageRef("web", 1), src),
            dir.resolve("work"));
      }
    }
  }

  @Test
  void theTokenIsCheckedOnTheSocketAsOverHttps() throws Exception {
    try (TestReceiver r = receiver("r1", TOKEN, "r2", TOKEN + "-two")) {
      SmcException unknown = assertThrows(SmcException.class, () -> r.openUnix("r1", "not-the-token-0123456789"));
      assertEquals(ErrorCode.UNAUTHORIZED, unknown.code());
      SmcException other = assertThrows(SmcException.class, () -> r.openUnix("r1", TOKEN + "-two"));
      assertEquals(ErrorCode.UNAUTHORIZED, other.code());
      assertTrue(other.getMessage().contains("403"), other.getMessage());
    }
  }

  @Test
  void aPackWhoseChunkWasAlteredIsCheckedWholeOnTheSocketButRefusedOverHttps() throws Exception {
    try (TestReceiver r = receiver("r1", TOKEN, "r2", TOKEN + "-2", "r3", TOKEN + "-3")) {
      try (Repository repo = CycleChecks.repository(r.open("r1", TOKEN))) {
        CycleChecks.cycle(repo, CycleChecks.smallTree(dir.resolve("src"), 3), "web", TransferOptions.DEFAULTS);
      }
      Path packFile;
      try (Stream<Path> s = Files.walk(r.folder("r1").resolve("data"))) {
        packFile = s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
      }
      String packName = r.folder("r1").relativize(packFile).toString();
      byte[] pack = Files.readAllBytes(packFile);
      byte[] chunkAltered = pack.clone();
      chunkAltered[pack.length / 3] ^= 0x5a; // inside chunk data: the trailer still names the pack
      byte[] trailerAltered = pack.clone();
      trailerAltered[pack.length - 20] ^= 0x5a; // inside the trailer: no longer the pack its name says

      try (Backend https = r.open("r2", TOKEN + "-2"); Backend unix = r.openUnix("r3", TOKEN + "-3")) {
        IOException overHttps = assertThrows(IOException.class,
            () -> https.put(packName, ByteBuffer.wrap(chunkAltered), Backend.PutMode.CREATE_NEW));
        assertTrue(overHttps.getMessage().contains("422") && overHttps.getMessage().contains("does not match its hash"),
            overHttps.getMessage());
        IOException trailer = assertThrows(IOException.class,
            () -> unix.put(packName, ByteBuffer.wrap(trailerAltered), Backend.PutMode.CREATE_NEW));
        assertTrue(trailer.getMessage().contains("422") && trailer.getMessage().contains("trailer"),
            trailer.getMessage());
        assertEquals(java.util.Optional.empty(), unix.size(packName));

        unix.put(packName, ByteBuffer.wrap(chunkAltered), Backend.PutMode.CREATE_NEW);
        assertEquals(java.util.Optional.of((long) pack.length), unix.size(packName));
        assertFalse(Files.exists(r.folder("r2").resolve(packName)), "nothing stored from the refused upload");
      }
    }
  }

  @Test
  void aSocketLeftByADeadReceiverIsReplacedAndOneALiveReceiverHoldsIsNot() throws Exception {
    Path sock = dir.resolve("receiver").resolve("r.sock");
    Files.createDirectories(sock.getParent());
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(sock));
    dead.close(); // the file stays, nobody listens: as after a kill -9
    assertTrue(Files.exists(sock));
    try (TestReceiver r = receiver("r1", TOKEN)) {
      try (Backend b = r.openUnix("r1", TOKEN)) {
        assertEquals(List.of(), b.list("data/"));
      }
      Receiver.Config second = Receiver.Config.of(dir.resolve("root2"), new java.net.InetSocketAddress("127.0.0.1", 0),
          dir.resolve("certs2"), r.tokens).withUnixSocket(java.util.Optional.of(sock));
      FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> Receiver.start(second));
      assertTrue(e.getMessage().contains("another receiver listens"), e.getMessage());
      try (Backend b = r.openUnix("r1", TOKEN)) {
        assertEquals(List.of(), b.list("data/"), "the first receiver still serves on its socket");
      }
    }
    assertFalse(Files.exists(sock), "a receiver that stops removes its socket");
  }

  @Test
  void aProcessOfAnotherUserIsTurnedAwayWithoutAnAnswer() throws Exception {
    Path setpriv = Path.of("/usr/bin/setpriv");
    assertTrue(Files.isExecutable(setpriv), "setpriv (util-linux) runs a process as another user");
    assertEquals("root", System.getProperty("user.name"), "the test runs as root, as CI does, to become nobody");
    try (TestReceiver r = receiver("r1", TOKEN)) {
      // open the way for the other user (the folder and socket are private by default): only the
      // receiver's check of who connects is left to refuse it
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(r.unix.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(r.unix, PosixFilePermissions.fromString("rw-rw-rw-"));
      String request = "GET /v1/r1/info HTTP/1.1\\r\\nHost: localhost\\r\\nAuthorization: Bearer " + TOKEN
          + "\\r\\n\\r\\n";
      String py = "import socket,sys\n"
          + "s=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.settimeout(10)\n"
          + "try:\n  s.sendall(b'" + request + "')\nexcept OSError as e:\n  print('send failed', e)\n"
          + "try:\n  print('answer', len(s.recv(4096)))\nexcept OSError as e:\n  print('recv failed', e)\n";
      String asNobody = run(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
          "/usr/bin/python3", "-c", py, r.unix.toString()));
      assertTrue(asNobody.matches("(?s).*(answer 0|recv failed|send failed).*"), asNobody);
      String asRoot = run(List.of("/usr/bin/python3", "-c", py, r.unix.toString()));
      assertFalse(asRoot.contains("answer 0"), "the owner gets an answer: " + asRoot);
      assertTrue(asRoot.matches("(?s).*answer [1-9].*"), asRoot);
    }
  }

  @Test
  void aReadThatGetsNoAnswerTimesOutAndACloseFromAnotherThreadEndsIt() throws Exception {
    Path sock = dir.resolve("silent.sock");
    try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      silent.bind(UnixDomainSocketAddress.of(sock));
      try (UnixSocket s = UnixSocket.connect(sock); SocketChannel peer = silent.accept()) {
        s.setSoTimeout(300);
        long t0 = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 250 && ms < 5_000, ms + " ms");
        assertTrue(e.getMessage().contains("300 ms"), e.getMessage());

        s.setSoTimeout(0);
        Thread closer = new Thread(() -> {
          try {
            Thread.sleep(200);
            s.close();
          } catch (Exception ex) {
            throw new IllegalStateException(ex);
          }
        });
        closer.start();
        assertThrows(IOException.class, () -> s.getInputStream().read(), "a read without timeout ends at close");
        closer.join(5_000);
        assertTrue(s.isClosed());
      }
    }
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "finished: " + cmd);
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
