package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Packs that come on the Unix socket are staged past the page cache (O_DIRECT) in whole blocks and
 * their unaligned rest written normally, straight from the socket into a direct buffer; where the
 * folder's file system takes no direct writes (tmpfs) they are written normally. Either way the
 * stored object is the sent bytes exactly, from a direct buffer or a heap one, and an upload cut
 * short leaves nothing behind.
 */
class ReceiverDirectStagingTest {
  private static final String TOKEN = "direct-staging-token-0123456789abcdef";

  @TempDir
  Path dir;

  @Test
  void largePacksAreStoredByteForByteOnADiskAndOnTmpfs() throws Exception {
    List<Path> packs = largePacks(dir.resolve("made"));
    assertTrue(packs.size() >= 3, "packs of several MiB: " + packs);
    assertStoredExactly(dir.resolve("on-disk"), packs);
    Path shm = Path.of("/dev/shm");
    assertTrue(Files.isDirectory(shm) && Files.isWritable(shm), "/dev/shm (tmpfs) for the written-normally case");
    Path onTmpfs = Files.createTempDirectory(shm, "smc-direct-staging-");
    try {
      assertStoredExactly(onTmpfs, packs);
    } finally {
      try (Stream<Path> s = Files.walk(onTmpfs)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
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
    r.restart();
    return r;
  }

  /** Sends every pack over the Unix socket of a receiver in {@code at}, alternately from a direct and a heap buffer. */
  private void assertStoredExactly(Path at, List<Path> packs) throws IOException {
    try (TestReceiver r = receiver(at); Backend unix = r.openUnix("r1", TOKEN)) {
      int i = 0;
      for (Path pack : packs) {
        byte[] bytes = Files.readAllBytes(pack);
        ByteBuffer body = i++ % 2 == 0 ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip() : ByteBuffer.wrap(bytes);
        String name = dir.resolve("made").relativize(pack).toString();
        unix.put(name, body, Backend.PutMode.CREATE_NEW);
        assertEquals(-1L, Files.mismatch(pack, r.folder("r1").resolve(name)), name + " stored in " + at);
      }
      assertEquals(List.of(), listFiles(r.folder("r1").resolve("tmp")), "nothing left staged");
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
