package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs on the Unix socket: an agent there writes them into the repository's tmp/ itself and the
 * receiver checks and places them, and the agent reads packs and index files from the folder (only there, only files of tmp/, a damaged one refused and
 * removed); a pack sent in the body is staged past the page cache (O_DIRECT) in whole blocks and
 * its unaligned rest written normally, straight from the socket into a direct buffer, or all
 * normally where the file system takes no direct writes (tmpfs). Either way the stored object is
 * the bytes exactly, from a direct buffer or a heap one, and an upload cut short leaves nothing.
 */
class ReceiverDirectStagingTest {
  private static final String TOKEN = "direct-staging-token-0123456789abcdef";

  @TempDir
  Path dir;

  @Test
  void anAgentOnTheSocketStagesItsPacksItselfAndReadsThemFromTheFolder() throws Exception {
    List<Path> packs = largePacks(dir.resolve("made"));
    assertTrue(packs.size() >= 3, "packs of several MiB: " + packs);
    try (TestReceiver r = receiver(dir.resolve("receiver"));
        HttpsBackend unix = r.openUnix("r1", TOKEN); HttpsBackend https = r.open("r1", TOKEN)) {
      assertTrue(unix.stagesPacks(), "on the socket the agent writes into the repository's tmp/");
      assertFalse(https.stagesPacks(), "over HTTPS the bytes go in the body");
      int i = 0;
      for (Path pack : packs) {
        byte[] bytes = Files.readAllBytes(pack);
        ByteBuffer body = i++ % 2 == 0 ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip() : ByteBuffer.wrap(bytes);
        String name = dir.resolve("made").relativize(pack).toString();
        unix.put(name, body, Backend.PutMode.CREATE_NEW);
        assertEquals(-1L, Files.mismatch(pack, r.folder("r1").resolve(name)), name);
        unix.put(name, ByteBuffer.wrap(bytes), Backend.PutMode.CREATE_NEW); // again: already there, fine
        // read back from the folder directly on the socket, through the receiver over HTTPS: the same bytes
        assertEquals(ByteBuffer.wrap(bytes), unix.get(name));
        assertEquals(ByteBuffer.wrap(bytes), https.get(name));
        assertEquals(ByteBuffer.wrap(bytes, 4096, 777), unix.get(name, 4096, 777));
        assertEquals(java.util.Optional.of((long) bytes.length), unix.size(name));
      }
      assertEquals(java.util.Optional.empty(), unix.size("data/00/" + "00".repeat(32)));
      assertThrows(java.nio.file.NoSuchFileException.class, () -> unix.get("data/00/" + "00".repeat(32)));
      assertEquals(List.of(), listFiles(r.folder("r1").resolve("tmp")), "nothing left staged");
    }
  }

  @Test
  void anAgentUsesTheFolderOnlyWhereItSeesThatVeryFolder() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo").resolve("tmp")).getParent();
    String line = PeerFolder.describe(repo);
    try (PeerFolder same = PeerFolder.of(line)) {
      assertTrue(same != null && same.reader("data/00/x") != null && same.reader("locks/x") == null, line);
    }
    Path other = Files.createDirectories(dir.resolve("other").resolve("tmp")).getParent();
    String[] f = line.split(" ", 3);
    // a path this process sees, but not the receiver's folder (another container's view): not used
    assertEquals(null, PeerFolder.of(f[0] + " " + f[1] + " " + other));
    assertEquals(null, PeerFolder.of("1 2"));
    assertEquals(null, PeerFolder.of(f[0] + " " + f[1] + " " + dir.resolve("missing")));
  }

  @Test
  void aPackSentInTheBodyIsStoredByteForByteOnADiskAndOnTmpfs() throws Exception {
    List<Path> packs = largePacks(dir.resolve("made"));
    assertSentExactly(dir.resolve("on-disk"), packs);
    Path shm = Path.of("/dev/shm");
    assertTrue(Files.isDirectory(shm) && Files.isWritable(shm), "/dev/shm (tmpfs) for the written-normally case");
    Path onTmpfs = Files.createTempDirectory(shm, "smc-direct-staging-");
    try {
      assertSentExactly(onTmpfs, packs);
    } finally {
      try (Stream<Path> s = Files.walk(onTmpfs)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aStagedPutIsForTheSocketOnlyForFilesOfTmpAndChecksThePack() throws Exception {
    List<Path> packs = largePacks(dir.resolve("made"));
    String name = dir.resolve("made").relativize(packs.get(0)).toString();
    byte[] damaged = Files.readAllBytes(packs.get(0));
    damaged[damaged.length - 20] ^= 0x5a; // inside the trailer: no longer the pack its name says
    try (TestReceiver r = receiver(dir.resolve("receiver"))) {
      try (Backend b = r.openUnix("r1", TOKEN)) {
        b.list("data/");
      }
      Path tmp = r.folder("r1").resolve("tmp");
      String put = "PUT " + Protocol.objectPath("r1", name) + "?mode=create&staged=";
      assertTrue(unixRequest(r, put + "..%2F..%2Fx.tmp", new byte[0]).startsWith("HTTP/1.1 400"));
      assertTrue(unixRequest(r, put + "0-1-2-3.tmp", new byte[0]).startsWith("HTTP/1.1 404"));
      Path staged = LocalFolderBackend.writeTemporary(tmp, ByteBuffer.wrap(damaged));
      String refused = unixRequest(r, put + staged.getFileName(), new byte[0]);
      assertTrue(refused.startsWith("HTTP/1.1 422") && refused.contains("trailer"), refused);
      assertFalse(Files.exists(staged), "a refused staged file is removed");
      assertFalse(Files.exists(r.folder("r1").resolve(name)), "no object");
      Path good = LocalFolderBackend.writeTemporary(tmp, ByteBuffer.wrap(Files.readAllBytes(packs.get(0))));
      RawClient.Response overHttps = RawClient.exchange(r.receiver, put + good.getFileName() + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + TOKEN + "\r\nContent-Length: 0\r\n\r\n", new byte[0], false);
      assertEquals(400, overHttps.status(), overHttps.body());
      assertTrue(unixRequest(r, put + good.getFileName(), new byte[0]).startsWith("HTTP/1.1 201"));
      assertEquals(-1L, Files.mismatch(packs.get(0), r.folder("r1").resolve(name)));
      assertEquals(List.of(), listFiles(tmp));
    }
  }

  @Test
  void anUploadCutShortOnTheSocketLeavesNothing() throws Exception {
    try (TestReceiver r = receiver(dir.resolve("receiver"))) {
      try (Backend b = r.openUnix("r1", TOKEN)) {
        b.list("data/"); // the repository's folder exists
      }
      String name = "data/ab/" + "ab".repeat(32);
      int length = 3 * 1024 * 1024 + 5;
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(r.unix));
        String head = "PUT " + Protocol.objectPath("r1", name) + "?mode=create HTTP/1.1\r\nHost: localhost\r\n"
            + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: " + length + "\r\n\r\n";
        ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer half = ByteBuffer.allocate(length / 2);
        while (half.hasRemaining()) {
          ch.write(half);
        }
      }
      Path tmp = r.folder("r1").resolve("tmp");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (listFiles(tmp).size() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(List.of(), listFiles(tmp), "the staged half is removed");
      assertEquals(List.of(), listFiles(r.folder("r1").resolve("data")), "no object");
    }
  }

  private TestReceiver receiver(Path at) throws IOException {
    TestReceiver r = new TestReceiver(at, "r1", TOKEN);
    r.unix = at.resolve("r.sock");
    // again with the socket, on a new port: its own one may be taken by another test's receiver meanwhile
    r.receiver.close(java.time.Duration.ZERO);
    r.start(0);
    return r;
  }

  /** Sends every pack in the body of a PUT on the Unix socket of a receiver in {@code at}. */
  private void assertSentExactly(Path at, List<Path> packs) throws Exception {
    try (TestReceiver r = receiver(at)) {
      try (Backend b = r.openUnix("r1", TOKEN)) {
        b.list("data/");
      }
      for (Path pack : packs) {
        String name = dir.resolve("made").relativize(pack).toString();
        String answer = unixRequest(r, "PUT " + Protocol.objectPath("r1", name) + "?mode=create", Files.readAllBytes(pack));
        assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
        assertEquals(-1L, Files.mismatch(pack, r.folder("r1").resolve(name)), name + " stored in " + at);
      }
      assertEquals(List.of(), listFiles(r.folder("r1").resolve("tmp")), "nothing left staged");
    }
  }

  /** One request on the receiver's Unix socket ({@code line}, the token, the body); the answer's first line. */
  private static String unixRequest(TestReceiver r, String line, byte[] body) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(r.unix));
      String head = line + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n";
      ByteBuffer all = ByteBuffer.allocate(head.length() + body.length).put(head.getBytes(StandardCharsets.US_ASCII))
          .put(body).flip();
      while (all.hasRemaining()) {
        ch.write(all);
      }
      String answer = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII);
      return answer;
    }
  }

  /** Packs of about 4 MiB, none a whole number of blocks long, made by a cycle into a local folder. */
  private static List<Path> largePacks(Path folder) throws IOException {
    Path src = Files.createDirectories(folder.resolveSibling("src"));
    SplittableRandom rnd = new SplittableRandom(11);
    byte[] content = new byte[13 * 1024 * 1024 + 777];
    rnd.nextBytes(content);
    Files.write(src.resolve("large.bin"), content);
    try (Repository repo = Repository.open(LocalFolderBackend.open(folder), Repository.options().packSize(4 << 20))) {
      FileMigration.builder().threads(2).build().run(repo, src, "large", Excludes.NONE, TransferOptions.DEFAULTS);
    }
    List<Path> packs = new ArrayList<>();
    for (Path p : listFiles(folder.resolve("data"))) {
      if (Files.size(p) > 1024 * 1024) {
        assertTrue(Files.size(p) % 4096 != 0, p + " has an unaligned rest");
        packs.add(p);
      }
    }
    return packs;
  }

  private static List<Path> listFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
