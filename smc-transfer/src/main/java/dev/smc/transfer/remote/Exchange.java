package dev.smc.transfer.remote;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One request of a {@link TlsHttpServer} connection and its response. The handler says when it has
 * accepted the request's credentials ({@link #authenticate}): from then on the connection is an
 * agent's, with the large buffers and the idle timeout of one, not the head deadline of a stranger.
 * A 401 or 403 ends the connection. Used by the connection's thread only.
 */
final class Exchange {
  /** What the connection does when its request is authenticated. */
  @FunctionalInterface
  interface Authenticator {
    /** False when no more authenticated connections are allowed now. */
    boolean authenticate() throws IOException;
  }

  final String method;
  final String rawPath;
  final String rawQuery;
  final long contentLength;
  /** Whether the request came on the Unix socket, from a process of the receiver's own user. */
  final boolean local;
  final Map<String, String> responseHeaders = new LinkedHashMap<>();
  boolean closeAfter;
  private final Map<String, String> headers;
  private final GrowableStreams.In in;
  private final OutputStream out;
  private final Authenticator authenticator;
  private long bodyLeft;
  private boolean responded;

  Exchange(RequestHead head, GrowableStreams.In in, OutputStream out, Authenticator authenticator, boolean local) {
    this.local = local;
    this.method = head.method();
    int q = head.target().indexOf('?');
    this.rawPath = q < 0 ? head.target() : head.target().substring(0, q);
    this.rawQuery = q < 0 ? null : head.target().substring(q + 1);
    this.headers = head.headers();
    this.contentLength = head.contentLength();
    this.bodyLeft = Math.max(0, contentLength);
    this.in = in;
    this.out = out;
    this.authenticator = authenticator;
    if (contentLength < 0 || "close".equalsIgnoreCase(headers.get("connection"))) {
      closeAfter = true; // a body without a length cannot be skipped to the next request
    }
  }

  /** An exchange only to answer a request whose head was refused. */
  static Exchange refusal(OutputStream out) {
    Exchange ex = new Exchange(new RequestHead("GET", "/", Map.of(), 0),
        new GrowableStreams.In(InputStream.nullInputStream(), 1), out, () -> false, false);
    ex.closeAfter = true;
    return ex;
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /**
   * The handler accepted this request's credentials: the connection counts as authenticated from
   * now on. False when the receiver holds as many authenticated connections as it allows.
   */
  boolean authenticate() throws IOException {
    return authenticator.authenticate();
  }

  /** Reads body bytes; -1 at the body's end; an early end of the connection is an {@link EOFException}. */
  int read(byte[] b, int off, int len) throws IOException {
    if (bodyLeft == 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, bodyLeft));
    if (n < 0) {
      closeAfter = true;
      throw new EOFException("the request body ended " + bodyLeft + " bytes short");
    }
    bodyLeft -= n;
    return n;
  }

  /**
   * Reads body bytes into {@code dst} up to its limit, as {@link #read(byte[], int, int)}; from a
   * Unix socket straight into it.
   */
  int read(ByteBuffer dst) throws IOException {
    if (bodyLeft == 0) {
      return -1;
    }
    ByteBuffer d = dst.remaining() > bodyLeft ? dst.slice(dst.position(), (int) bodyLeft) : dst;
    int n = in.read(d);
    if (n < 0) {
      closeAfter = true;
      throw new EOFException("the request body ended " + bodyLeft + " bytes short");
    }
    if (d != dst) {
      dst.position(dst.position() + n);
    }
    bodyLeft -= n;
    return n;
  }

  boolean responded() {
    return responded;
  }

  /** Sends the status line and headers; {@code length} body bytes must follow through {@link #write}. */
  void respond(int status, long length) throws IOException {
    responded = true;
    if (status == 401 || status == 403) {
      closeAfter = true; // a stranger gets one answer per connection
    }
    StringBuilder sb = new StringBuilder(128);
    sb.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (Map.Entry<String, String> h : responseHeaders.entrySet()) {
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (status != 204 && status != 304) {
      sb.append("Content-Length: ").append(method.equals("HEAD") ? 0 : Math.max(0, length)).append("\r\n");
    }
    if (closeAfter || bodyLeft > 0) {
      closeAfter = true; // a body left unread would be taken for the next request
      sb.append("Connection: close\r\n");
    }
    sb.append("\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    if (length <= 0 || method.equals("HEAD")) {
      out.flush();
    }
  }

  /** Answers with {@code status} and {@code text} as a one-line body. */
  void respondText(int status, String text) throws IOException {
    byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
    responseHeaders.put("Content-Type", "text/plain; charset=utf-8");
    respond(status, b.length);
    if (!method.equals("HEAD")) {
      write(b, 0, b.length);
    }
    flush();
  }

  void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  void flush() throws IOException {
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 416 -> "Range Not Satisfiable";
      case 422 -> "Unprocessable Content";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      case 507 -> "Insufficient Storage";
      default -> "Status";
    };
  }
}
