package dev.smc.transfer.remote;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * A request's line and headers, read off a connection and checked strictly enough that no two
 * readers of the same bytes can disagree on where the request ends: one {@code Content-Length} of
 * 1-19 plain decimal digits (after the one space that follows the colon) or none, never with
 * {@code Transfer-Encoding}; no header that decides
 * routing or access given twice; no folded lines, bare CRs or spaces before a colon. Sizes are
 * capped: a request line of {@value #MAX_LINE} bytes (414 beyond), a header line of
 * {@value #MAX_LINE}, {@value #MAX_HEAD} bytes of headers in all and {@value #MAX_HEADERS} headers
 * (431 beyond).
 *
 * @param headers lower-case names to values without surrounding blanks
 * @param contentLength the body's length; 0 without one; -1 with {@code Transfer-Encoding}
 */
record RequestHead(String method, String target, Map<String, String> headers, long contentLength) {
  static final int MAX_LINE = 8192;
  static final int MAX_HEAD = 16384;
  static final int MAX_HEADERS = 100;
  /** Headers that may come once: two of them would let two readers of the request see different ones. */
  private static final Set<String> ONCE = Set.of("content-length", "transfer-encoding", "authorization", "host",
      "range", "connection");

  /** A head that cannot be served: the status to answer and a one-line reason. */
  static final class Refused extends Exception {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Reads the next head; null when the connection ended cleanly before one began. */
  @Nullable
  static RequestHead read(InputStream in) throws IOException, Refused {
    StringBuilder line = new StringBuilder(128);
    int n = readLine(in, line, MAX_LINE, true);
    if (n < 0) {
      return null;
    }
    if (n > MAX_LINE) {
      throw new Refused(414, "request line longer than " + MAX_LINE + " bytes; allowed at most " + MAX_LINE);
    }
    String[] f = line.toString().split(" ", -1);
    if (f.length != 3 || !isToken(f[0]) || f[1].isEmpty() || !(f[2].equals("HTTP/1.1") || f[2].equals("HTTP/1.0"))) {
      throw new Refused(400, "not an HTTP/1.1 request line: allowed 'METHOD TARGET HTTP/1.1', one space between");
    }
    Map<String, String> headers = new HashMap<>();
    int total = 0;
    for (int count = 0;; count++) {
      line.setLength(0);
      n = readLine(in, line, MAX_LINE, false);
      if (n > MAX_LINE) {
        throw new Refused(431, "a header line longer than " + MAX_LINE + " bytes; allowed at most " + MAX_LINE);
      }
      total += n + 2;
      if (total > MAX_HEAD) {
        throw new Refused(431, "headers of more than " + MAX_HEAD + " bytes in all; allowed at most " + MAX_HEAD);
      }
      if (line.length() == 0) {
        break;
      }
      if (count >= MAX_HEADERS) {
        throw new Refused(431, "more than " + MAX_HEADERS + " headers; allowed at most " + MAX_HEADERS);
      }
      header(line.toString(), headers);
    }
    return new RequestHead(f[0], f[1], headers, contentLength(headers));
  }

  private static void header(String h, Map<String, String> headers) throws Refused {
    if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
      throw new Refused(400, "a header line that continues the one before (obs-fold); allowed one line a header");
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    if (colon <= 0 || !isToken(name)) {
      throw new Refused(400, "malformed header line: allowed 'NAME: VALUE', NAME of letters, digits and !#$%&'*+-.^_`|~"
          + " right before the colon");
    }
    String raw = h.substring(colon + 1);
    // blanks around a value are not part of it, except that a length is taken as sent after one space:
    // "Content-Length:  5" is how a request smuggled past a stricter reader looks
    String value = name.equalsIgnoreCase("content-length") ? (raw.startsWith(" ") ? raw.substring(1) : raw)
        : raw.strip();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < ' ' && c != '\t') || c == 0x7f) {
        throw new Refused(400, "header " + name + ": control character " + (int) c + " in its value; allowed"
            + " printable characters and tabs");
      }
    }
    String key = name.toLowerCase(Locale.ROOT);
    String before = headers.putIfAbsent(key, value);
    if (before != null && ONCE.contains(key)) {
      throw new Refused(400, "header " + name + " given twice" + (key.equals("authorization") ? ""
          : " ('" + before + "' and '" + value + "')") + "; allowed once");
    }
    if (before != null) {
      headers.put(key, before + ", " + value); // RFC 9110: repeated list headers combine
    }
  }

  private static long contentLength(Map<String, String> headers) throws Refused {
    String cl = headers.get("content-length");
    if (headers.containsKey("transfer-encoding")) {
      if (cl != null) {
        throw new Refused(400, "Content-Length together with Transfer-Encoding; allowed one of them (and only"
            + " Content-Length for a body)");
      }
      return -1;
    }
    if (cl == null) {
      return 0;
    }
    if (cl.isEmpty() || cl.length() > 19 || !cl.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Refused(400, "Content-Length '" + cl + "': allowed 1-19 decimal digits (0-9) and nothing else");
    }
    try {
      return Long.parseLong(cl);
    } catch (NumberFormatException e) {
      throw new Refused(400, "Content-Length '" + cl + "': allowed at most " + Long.MAX_VALUE);
    }
  }

  /** RFC 9110 token: the characters of a method or a header name. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads a CRLF- or LF-ended line into {@code sb} (bytes as ISO-8859-1) and returns its length
   * without the line end; {@code max + 1} when it goes on past {@code max} bytes (then not all of
   * it is read); -1 at a clean end of the stream before it, when {@code eofOk}.
   */
  private static int readLine(InputStream in, StringBuilder sb, int max, boolean eofOk) throws IOException, Refused {
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (eofOk && sb.length() == 0) {
          return -1;
        }
        throw new EOFException("connection closed inside a request's head");
      }
      int len = sb.length();
      if (c == '\n') {
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(--len);
        }
        return Math.min(len, max + 1);
      }
      if (len > 0 && sb.charAt(len - 1) == '\r') {
        throw new Refused(400, "a CR not followed by LF in the request's head; allowed CR only right before LF");
      }
      if (len > max) {
        return max + 1;
      }
      sb.append((char) c);
    }
  }
}
