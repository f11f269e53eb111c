package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first contact with a receiver that accepts connections but never answers gives up within its
 * 15 s window, with the default options (60 s of stall allowed), and says what happened: no answer
 * to the TLS handshake, or no response to the request after it.
 */
class HttpsBackendFirstContactTest {
  private static final String TOKEN = "first-contact-token-0123456789abcdef";

  @TempDir
  Path tmp;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws IOException {
    for (ServerSocket s : servers) {
      s.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
  }

  /** Accepts every connection on {@code server} (completing TLS first, when it is a TLS server) and then says nothing. */
  private void acceptAndStaySilent(ServerSocket server) {
    servers.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.add(s);
          if (s instanceof SSLSocket ssl) {
            ssl.startHandshake();
          }
        } catch (IOException e) {
          // closed at the end of the test, or a client gone
        }
      }
    }, "silent-server");
    t.setDaemon(true);
    t.start();
  }

  private static IOException openFails(int port, String pin) throws Exception {
    HttpsBackend.Options defaults = HttpsBackend.Options.of(TOKEN, Optional.of(pin));
    FutureTask<IOException> f = new FutureTask<>(() -> assertThrows(IOException.class,
        () -> HttpsBackend.open("https://127.0.0.1:" + port + "/r1", defaults)));
    new Thread(f, "open-" + port).start();
    return f.get(40, TimeUnit.SECONDS);
  }

  @Test
  void aServerThatAcceptsButNeverAnswersIsGivenUpOnWithinTheFirstContactsWindowSayingWhatHappened() throws Exception {
    ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptAndStaySilent(plain);
    Certificates certs = Certificates.loadOrCreate(tmp.resolve("certs"), "127.0.0.1");
    SSLServerSocket tls = (SSLServerSocket) certs.serverContext().getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptAndStaySilent(tls);

    long start = System.nanoTime();
    FutureTask<IOException> silentTls = new FutureTask<>(() -> openFails(tls.getLocalPort(), certs.fingerprint()));
    new Thread(silentTls, "tls-but-silent").start();
    IOException noHandshake = openFails(plain.getLocalPort(), "sha256:" + "00".repeat(32));
    IOException noResponse = silentTls.get(40, TimeUnit.SECONDS);
    long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

    String plainAt = "127.0.0.1:" + plain.getLocalPort();
    assertTrue(noHandshake.getMessage().equals("https://" + plainAt + "/r1: GET info: no answer to the TLS handshake"
        + " from " + plainAt + " within 15 s (it accepted the connection but sent nothing)"), noHandshake.getMessage());
    String tlsAt = "127.0.0.1:" + tls.getLocalPort();
    assertTrue(noResponse.getMessage().startsWith("https://" + tlsAt + "/r1: GET info: no response from " + tlsAt
        + " within "), noResponse.getMessage());
    assertTrue(noResponse.getMessage().endsWith(" of the request"), noResponse.getMessage());
    assertTrue(took <= 20, "the first contact took " + took + " s; its window is 15 s");
    assertTrue(Duration.ofSeconds(took).compareTo(Duration.ofSeconds(14)) >= 0, "gave up after " + took + " s,"
        + " before its 15 s window had passed");
  }
}
