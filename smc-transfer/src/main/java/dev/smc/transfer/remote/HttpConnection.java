package dev.smc.transfer.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection over TLS to a receiver, optionally through an HTTP CONNECT proxy. Reads
 * time out through the socket; a write that makes no progress is cut by {@link #closeIfStalled},
 * which closes the TCP socket under TLS (the one thing that unblocks a stuck write). Used by one
 * thread at a time; {@link #closeIfStalled} may come from another.
 */
final class HttpConnection implements Closeable {
  private static final int MAX_LINE = 8192;
  private static final int MAX_HEADERS = 100;
  private static final int UNIX_PIECE = 1 << 20;

  private final Socket raw;
  private final Socket ssl;
  private final String peer;
  private final InputStream in;
  private final OutputStream out;
  private volatile long writingSince;
  private boolean reusable = true;

  /** A response's status, headers (lower-case names) and the length of the body still to read. */
  record Response(int status, Map<String, String> headers, long length) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private HttpConnection(Socket raw, Socket ssl, String peer) throws IOException {
    this.raw = raw;
    this.ssl = ssl;
    this.peer = peer;
    this.in = new BufferedInputStream(ssl.getInputStream(), 64 * 1024);
    this.out = new BufferedOutputStream(ssl.getOutputStream(), 16 * 1024);
  }

  /**
   * Connects (within {@code connectTimeoutMs}) and completes the TLS handshake; reads, the
   * handshake's included, time out after {@code readTimeoutMs}. A timeout says which step got no
   * answer from whom, and whether the peer had sent anything at all.
   */
  static HttpConnection open(String host, int port, InetSocketAddress proxy, SSLSocketFactory tls,
      boolean verifyHostname, int connectTimeoutMs, int readTimeoutMs) throws IOException {
    String peer = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    Socket raw = new Socket();
    try {
      raw.setTcpNoDelay(true);
      raw.setSoTimeout(readTimeoutMs);
      InetSocketAddress first = proxy != null ? proxy : new InetSocketAddress(host, port);
      try {
        raw.connect(first, connectTimeoutMs);
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException((proxy != null ? "proxy " + proxy : peer) + " accepted no connection within "
            + seconds(connectTimeoutMs));
      } catch (ConnectException e) {
        ConnectException named = new ConnectException((proxy != null ? "proxy " + proxy : peer)
            + " refused the connection (nothing listens there?): " + e.getMessage());
        named.initCause(e);
        throw named;
      }
      if (proxy != null) {
        tunnel(raw, host, port);
      }
      BufferedSocket buffered = new BufferedSocket(raw, BufferedSocket.LARGE);
      SSLSocket ssl = (SSLSocket) tls.createSocket(buffered, host, port, true);
      SSLParameters p = ssl.getSSLParameters();
      p.setProtocols(Protocol.TLS_PROTOCOLS);
      p.setCipherSuites(Protocol.preferAes128(p.getCipherSuites()));
      if (!isIpLiteral(host)) {
        p.setServerNames(java.util.List.of(new SNIHostName(host)));
      }
      if (verifyHostname) {
        p.setEndpointIdentificationAlgorithm("HTTPS");
      }
      ssl.setSSLParameters(p);
      try {
        ssl.startHandshake();
      } catch (SocketTimeoutException e) {
        long in = buffered.bytesIn();
        throw new SocketTimeoutException("no answer to the TLS handshake from " + peer + " within "
            + seconds(readTimeoutMs) + (in == 0 ? " (it accepted the connection but sent nothing)"
            : " (it sent " + in + " bytes, then nothing)"));
      }
      return new HttpConnection(raw, ssl, peer);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Connects to a receiver's Unix socket {@code path} on this machine: no TLS, since no network
   * carries the bytes and the socket's folder decides who may connect. Reads time out after
   * {@code readTimeoutMs}, writes too (as well as through {@link #closeIfStalled}).
   */
  static HttpConnection openUnix(java.nio.file.Path path, int readTimeoutMs) throws IOException {
    UnixSocket s;
    try {
      s = UnixSocket.connect(path);
    } catch (java.net.SocketException e) {
      ConnectException named = new ConnectException("unix:" + path + " refused the connection (nothing listens there?): "
          + e.getMessage());
      named.initCause(e);
      throw named;
    }
    try {
      s.setSoTimeout(readTimeoutMs);
      return new HttpConnection(s, s, "unix:" + path);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A timeout in whole seconds as a message says it ({@code "15 s"}), or milliseconds below one. */
  static String seconds(long ms) {
    return ms < 1000 ? ms + " ms" : Math.round(ms / 1000.0) + " s";
  }

  /** How long a read may wait from now on (the handshake's and responses'). */
  void readTimeout(int ms) throws IOException {
    raw.setSoTimeout(ms);
  }

  private static boolean isIpLiteral(String host) {
    return host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":");
  }

  /** Asks an HTTP proxy for a tunnel to host:port (RFC 9110 CONNECT). */
  private static void tunnel(Socket raw, String host, int port) throws IOException {
    String target = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    OutputStream o = raw.getOutputStream();
    o.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    o.flush();
    InputStream i = raw.getInputStream(); // unbuffered: not one byte of the tunnel may be read here
    String status = readLine(i);
    while (!readLine(i).isEmpty()) {
      // proxy headers: not needed
    }
    String[] f = status.split(" ", 3);
    if (f.length < 2 || !f[1].equals("200")) {
      throw new ProxyRefused("proxy " + raw.getRemoteSocketAddress() + " refused the tunnel to " + target + ": " + status);
    }
  }

  /** The proxy answered CONNECT with something other than 200. */
  static final class ProxyRefused extends IOException {
    ProxyRefused(String message) {
      super(message);
    }
  }

  /** Writes a request's line and headers (not yet flushed when a body follows). */
  void writeHead(String method, String target, String hostHeader, Map<String, String> headers, long bodyLength)
      throws IOException {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (bodyLength >= 0) {
      sb.append("Content-Length: ").append(bodyLength).append("\r\n");
    }
    sb.append("\r\n");
    writing(() -> out.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes body bytes; the watchdog may cut a write that makes no progress. */
  void writeBody(byte[] b, int off, int len) throws IOException {
    writing(() -> out.write(b, off, len));
  }

  /**
   * Writes {@code body}'s remaining bytes, consuming them; to a Unix socket straight from the buffer
   * (from a direct one, the kernel's copy is the only one), over TLS through {@code copy}.
   */
  void writeBody(ByteBuffer body, byte[] copy) throws IOException {
    if (raw instanceof UnixSocket u) {
      writing(out::flush); // the head first
      while (body.hasRemaining()) { // in pieces, each of which the watchdog times on its own
        ByteBuffer piece = body.slice(body.position(), Math.min(UNIX_PIECE, body.remaining()));
        writing(() -> u.write(piece));
        body.position(body.position() + piece.capacity());
      }
      return;
    }
    while (body.hasRemaining()) {
      int n = Math.min(copy.length, body.remaining());
      body.get(copy, 0, n);
      writeBody(copy, 0, n);
    }
  }

  void flush() throws IOException {
    writing(out::flush);
  }

  private interface Io {
    void run() throws IOException;
  }

  private void writing(Io io) throws IOException {
    writingSince = System.nanoTime();
    try {
      io.run();
    } finally {
      writingSince = 0;
    }
  }

  /** Closes the connection when a write has been stuck longer than {@code limitNanos}. */
  boolean closeIfStalled(long now, long limitNanos) {
    long since = writingSince;
    if (since != 0 && now - since > limitNanos) {
      try {
        raw.close();
      } catch (IOException e) {
        // closing anyway
      }
      return true;
    }
    return false;
  }

  /** Reads the status line and headers; the body is left to {@link #readBody}. */
  Response readResponse(boolean head) throws IOException {
    String status;
    try {
      status = readLine(in);
    } catch (SocketTimeoutException e) {
      reusable = false;
      throw new SocketTimeoutException("no response from " + peer + " within " + seconds(raw.getSoTimeout())
          + " of the request");
    }
    String[] f = status.split(" ", 3);
    if (f.length < 2 || !f[0].startsWith("HTTP/1.")) {
      reusable = false;
      throw new IOException("not an HTTP response: '" + status + "'");
    }
    int code;
    try {
      code = Integer.parseInt(f[1]);
    } catch (NumberFormatException e) {
      reusable = false;
      throw new IOException("not an HTTP status: '" + status + "'");
    }
    Map<String, String> headers = new HashMap<>();
    for (int n = 0;; n++) {
      String line = readLine(in);
      if (line.isEmpty()) {
        break;
      }
      if (n > MAX_HEADERS) {
        throw new IOException("response with more than " + MAX_HEADERS + " headers");
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    if (headers.containsKey("transfer-encoding")) {
      reusable = false;
      throw new IOException("response with Transfer-Encoding " + headers.get("transfer-encoding") + ": not a receiver");
    }
    if ("close".equalsIgnoreCase(headers.get("connection"))) {
      reusable = false;
    }
    long len = 0;
    if (!head && code != 204 && code != 304) {
      String cl = headers.get("content-length");
      if (cl == null) {
        reusable = false;
        throw new IOException("response " + code + " without Content-Length: not a receiver");
      }
      len = Long.parseLong(cl.trim());
    }
    return new Response(code, headers, len);
  }

  /** Reads exactly {@code len} body bytes into {@code dst}. */
  void readBody(byte[] dst, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int n = in.read(dst, off + done, len - done);
      if (n < 0) {
        reusable = false;
        throw new EOFException("response body ended " + (len - done) + " bytes short");
      }
      done += n;
    }
  }

  /** Reads and drops {@code len} body bytes. */
  void skipBody(long len) throws IOException {
    byte[] b = new byte[(int) Math.min(len, 8192)];
    for (long left = len; left > 0; ) {
      int n = (int) Math.min(left, b.length);
      readBody(b, 0, n);
      left -= n;
    }
  }

  boolean reusable() {
    return reusable && !raw.isClosed();
  }

  void markBroken() {
    reusable = false;
  }

  private static String readLine(InputStream i) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = i.read();
      if (c < 0) {
        throw sb.length() == 0 ? new EOFException("connection closed before a response")
            : new EOFException("connection closed in a response line");
      }
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      if (sb.length() >= MAX_LINE) {
        throw new IOException("response line longer than " + MAX_LINE + " bytes");
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() {
    if (reusable()) { // a clean end says so (close_notify); a broken one must not wait on a stuck peer
      try {
        ssl.close();
      } catch (IOException | RuntimeException e) {
        // the socket below goes too
      }
    }
    try {
      raw.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }
}
