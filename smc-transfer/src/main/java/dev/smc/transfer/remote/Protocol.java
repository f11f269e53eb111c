package dev.smc.transfer.remote;

import dev.smc.spi.Backend;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The receiver's HTTP API, version 1: the {@link Backend} SPI over HTTPS, one repository a path.
 *
 * <pre>
 * GET    /v1/REPO/info                     200 "maxBody N"            what the receiver accepts; on the Unix
 *                                          socket also "folder DEV INO DIR", the repository's folder (its
 *                                          device and inode), whose data/ and index/ such a peer may read
 * PUT    /v1/REPO/o/NAME?mode=create&staged=FILE  on the Unix socket only, empty body: FILE, which the
 *                                          agent wrote in DIR/tmp, checked and made the object as if sent
 * PUT    /v1/REPO/o/NAME?mode=create|replace  201 stored, 200 already stored with the same content,
 *                                          409 exists with other content (create), 413 too large,
 *                                          422 content does not match its name (or a pack, index
 *                                          or manifest does not parse as one)
 * GET    /v1/REPO/o/NAME  [Range: bytes=A-B]  200 / 206 with the bytes, 404 missing
 * HEAD   /v1/REPO/o/NAME                   200 with X-Smc-Size, 404 missing
 * GET    /v1/REPO/list?prefix=P            200, one "SIZE MODIFIED_MS NAME" line an object (MODIFIED_MS:
 *                                          the receiver's time of its last put, ms since the epoch)
 * DELETE /v1/REPO/o/NAME                   204
 * POST   /v1/REPO/barrier                  204 once every object put before is durable
 * </pre>
 * Every request carries {@code Authorization: Bearer TOKEN}; 401 when the token is missing or
 * unknown, 403 when it belongs to another repository, 503 when the receiver holds as many agents'
 * connections as it allows (retry). Errors carry a one-line text body.
 *
 * <p>Request heads ({@link RequestHead}): a request line of at most 8 KiB (414 beyond), header
 * lines of at most 8 KiB, 16 KiB and 100 headers in all (431 beyond); 400 for a repeated
 * {@code Content-Length}, {@code Transfer-Encoding}, {@code Authorization}, {@code Host},
 * {@code Range} or {@code Connection}, for a {@code Content-Length} that is not 1-19 decimal
 * digits or comes with {@code Transfer-Encoding}, for folded lines and bare CRs. A refused head,
 * a 401 and a 403 close the connection. A new connection has 10 s from its accept to deliver a
 * request whose token is accepted, or it is closed ({@link ConnectionLimits}).
 */
final class Protocol {
  private Protocol() {}

  static final String VERSION = "v1";
  static final String SIZE_HEADER = "X-Smc-Size";
  static final String MAX_BODY = "maxBody";
  /** The info line naming a repository's folder (to a peer on the Unix socket). */
  static final String FOLDER = "folder";
  /** The put's query parameter naming a file an agent staged in the folder's tmp/. */
  static final String STAGED = "staged";
  static final int COPY_BUFFER = 256 * 1024;

  /** TLS 1.3, or 1.2 for older peers. */
  static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /**
   * The peer's cipher suites with AES-128-GCM first: as safe for this use and about a third less
   * work per byte than AES-256 (10 AES rounds instead of 14), and bulk data is all we send.
   */
  static String[] preferAes128(String[] suites) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String s : suites) {
      if (s.equals("TLS_AES_128_GCM_SHA256") || s.endsWith("_WITH_AES_128_GCM_SHA256")) {
        out.add(s);
      }
    }
    for (String s : suites) {
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out.toArray(new String[0]);
  }

  /** A repository name is one object-name segment of at most 64 characters. */
  static String checkRepo(String repo) {
    if (repo == null || repo.isEmpty() || repo.length() > 64 || repo.contains("/")) {
      throw new IllegalArgumentException("repository name '" + repo + "': allowed 1-64 characters of"
          + " A-Z a-z 0-9 . _ -, not '.' or '..'");
    }
    try {
      Backend.checkName(repo);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("repository name '" + repo + "': allowed 1-64 characters of"
          + " A-Z a-z 0-9 . _ -, not '.' or '..'");
    }
    return repo;
  }

  static String objectPath(String repo, String name) {
    return "/" + VERSION + "/" + repo + "/o/" + name;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
