package dev.smc.transfer.remote;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * One TLS connection to a receiver that sends requests exactly as given (which {@link HttpsBackend}
 * would refuse to: no token, malformed heads, climbing names), trusting only the receiver's
 * certificate, from a source address of the test's choice. Not thread-safe.
 */
final class RawClient implements AutoCloseable {
  /** A response: status (-1 when the connection ended without one) and its one-line body. */
  record Response(int status, String body) {}

  private final Socket raw;
  private final SSLSocket ssl;
  private final InputStream in;
  private final OutputStream out;

  private RawClient(Socket raw, SSLSocket ssl) throws IOException {
    this.raw = raw;
    this.ssl = ssl;
    this.in = new BufferedInputStream(ssl.getInputStream());
    this.out = ssl.getOutputStream();
  }

  /** Connects from {@code from} and completes the TLS handshake. */
  static RawClient connect(Receiver receiver, InetAddress from) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new PinnedTrust(receiver.fingerprint())}, null);
    Socket raw = new Socket();
    raw.bind(new InetSocketAddress(from, 0));
    raw.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5_000);
    raw.setSoTimeout(10_000);
    SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "127.0.0.1", receiver.port(), true);
    ssl.startHandshake();
    return new RawClient(raw, ssl);
  }

  static RawClient connect(Receiver receiver) throws Exception {
    return connect(receiver, InetAddress.getLoopbackAddress());
  }

  /** Sends {@code head} and {@code body} on a new connection and reads the response; see {@link #send}. */
  static Response exchange(Receiver receiver, String head, byte[] body, boolean end) throws Exception {
    try (RawClient c = connect(receiver)) {
      return c.send(head, body, end);
    } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
      return new Response(-1, e.toString());
    }
  }

  /** Sends {@code head} and {@code body} as they are, with {@code end} then ends the sending half; reads the response. */
  Response send(String head, byte[] body, boolean end) throws IOException {
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
    if (end) {
      ssl.shutdownOutput();
    }
    return read();
  }

  Response send(String head) throws IOException {
    return send(head, new byte[0], false);
  }

  /** Reads one response: its status line, headers and Content-Length body. */
  Response read() throws IOException {
    String status = line();
    if (status == null) {
      return new Response(-1, "");
    }
    long length = 0;
    for (String h; (h = line()) != null && !h.isEmpty(); ) {
      if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(h.substring(15).trim());
      }
    }
    String text = new String(in.readNBytes((int) length), StandardCharsets.UTF_8).trim();
    return new Response(Integer.parseInt(status.split(" ")[1]), text);
  }

  /** Whether the receiver ends the connection (end of stream or reset) within {@code max}, reading nothing else. */
  boolean endsWithin(Duration max) {
    try {
      raw.setSoTimeout((int) Math.max(1, max.toMillis()));
      boolean ended = in.read() < 0;
      raw.setSoTimeout(10_000);
      return ended;
    } catch (SocketTimeoutException e) {
      try {
        raw.setSoTimeout(10_000);
      } catch (IOException closed) {
        // ended meanwhile: the next read says so
      }
      return false;
    } catch (IOException e) {
      return true; // reset, or closed by TLS after a fatal alert
    }
  }

  /** Writes bytes without reading an answer. */
  void write(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        return sb.toString().strip();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
