package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.Backend;
import dev.smc.transfer.repo.IndexFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running receiver: its tokens file read again when it changes, and a close that lets uploads finish. */
class ReceiverLifecycleTest {
  private static final String T1 = "lifecycle-token-r1-0123456789abcdef";
  private static final String T2 = "lifecycle-token-r2-0123456789abcdef";
  /** The file is looked at on every request; slack for a busy machine. */
  private static final Duration NOTICED_WITHIN = Duration.ofSeconds(5);

  @TempDir
  Path tmp;

  /** Calls {@code attempt} every 50 ms until it returns true; how long that took, or fails after {@link #NOTICED_WITHIN}. */
  private static Duration until(String what, java.util.concurrent.Callable<Boolean> attempt) throws Exception {
    long start = System.nanoTime();
    while (!attempt.call()) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(NOTICED_WITHIN) < 0, what + " not within " + NOTICED_WITHIN);
      Thread.sleep(50);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static boolean accepted(TestReceiver receiver, String repo, String token) throws IOException {
    try {
      receiver.open(repo, token).close();
      return true;
    } catch (SmcException e) {
      assertEquals(ErrorCode.UNAUTHORIZED, e.code(), e.getMessage());
      return false;
    }
  }

  @Test
  void tokensAddedToOrRemovedFromTheFileOfARunningReceiverCountFromTheNextRequest() throws Exception {
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", T1)) {
      assertTrue(accepted(receiver, "r1", T1));
      SmcException unknown = assertThrows(SmcException.class, () -> receiver.open("r2", T2));
      assertTrue(unknown.getMessage().contains("401"), unknown.getMessage());

      Files.writeString(receiver.tokens, "r1 " + T1 + "\nr2 " + T2 + "\n");
      assertTrue(accepted(receiver, "r2", T2), "the added token refused by the next request");

      Files.writeString(receiver.tokens, "r2 " + T2 + "\n");
      assertFalse(accepted(receiver, "r1", T1), "the removed token accepted by the next request");

      // replaced by a rename with a list of the same size, as a provider writes it: still noticed
      Path next = receiver.tokens.resolveSibling("tokens.next");
      Files.writeString(next, "r1 " + T2 + "\n");
      Files.move(next, receiver.tokens, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      assertTrue(accepted(receiver, "r1", T2), "a token of a renamed-in list refused");
      assertFalse(accepted(receiver, "r2", T2), "a token of the replaced list still accepted");
      Files.writeString(receiver.tokens, "r2 " + T2 + "\n");
      assertTrue(accepted(receiver, "r2", T2));

      Files.writeString(receiver.tokens, "r2 short\n"); // invalid: the last good list stays
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
      while (System.nanoTime() < deadline) { // long enough for the file to be read again, and refused
        assertTrue(accepted(receiver, "r2", T2), "a token refused after the tokens file became invalid");
        Thread.sleep(100);
      }
    }
  }

  @Test
  void closeWithGraceLetsAnUploadInFlightFinishWhileNewConnectionsAreRefused() throws Exception {
    byte[] content = IndexFiles.valid(4, 8 << 20).array(); // a receiver stores an index only if it parses as one
    String name = "index/" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", T1)) {
      // no retries: a single failure would fail the upload, so its success means it was never cut
      HttpsBackend.Options once = receiver.options(T1).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
          Duration.ZERO);
      CountDownLatch underWay = new CountDownLatch(1);
      AtomicLong paced = new AtomicLong();
      Backend.Pacer slow = bytes -> { // about 2 s for the whole upload
        if (paced.addAndGet(bytes) >= 2 << 20) {
          underWay.countDown();
        }
        try {
          Thread.sleep(15);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      try (HttpsBackend b = HttpsBackend.open(receiver.endpoint("r1"), once)) {
        FutureTask<Void> upload = new FutureTask<>(() -> {
          b.put(name, ByteBuffer.wrap(content), Backend.PutMode.CREATE_NEW, slow);
          return null;
        });
        new Thread(upload, "upload").start();
        assertTrue(underWay.await(60, TimeUnit.SECONDS), "the upload did not get under way");
        Thread closer = new Thread(() -> receiver.receiver.close(Duration.ofSeconds(30)), "closer");
        closer.start();
        until("new connections refused while closing", () -> {
          try {
            HttpsBackend.open(receiver.endpoint("r1"), once).close();
            return false;
          } catch (IOException e) {
            return true;
          }
        });
        upload.get(60, TimeUnit.SECONDS);
        assertTrue(paced.get() >= content.length, "paced " + paced.get());
        closer.join(60_000);
        assertFalse(closer.isAlive(), "close(grace) did not return after the upload finished");
      }
      assertEquals(ByteBuffer.wrap(content), ByteBuffer.wrap(Files.readAllBytes(receiver.folder("r1").resolve(name))),
          "the upload that was in flight when the receiver closed");
    }
  }

}
