package dev.smc.transfer.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The receiver's access list: a file of {@code REPO TOKEN} lines ({@code #} starts a comment), each
 * token allowed one repository. The file is looked at on every request and read again when it
 * changed (its modification time, size or file identity: a file replaced by a rename counts), so a
 * token added to a running receiver is accepted, and one removed is refused, from the next request
 * on; a file that became unreadable or invalid keeps the last good list and is logged once. Tokens
 * are compared by their SHA-256, in constant time, against every entry. Thread-safe.
 */
final class Tokens {
  /** At least 128 bits of a random token written in hex or base64. */
  static final int MIN_TOKEN_LENGTH = 22;

  /** What a presented token is worth for a repository. */
  enum Grant { ALLOWED, UNKNOWN_TOKEN, OTHER_REPOSITORY }

  private record Entry(String repo, byte[] tokenHash) {}

  /** What tells one version of the file from another without reading it. */
  private record Version(Object fileKey, long modifiedNanos, long size) {
    static Version of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Version(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
    }
  }

  private final Path file;
  private volatile List<Entry> entries;
  private Version seen;

  private Tokens(Path file) {
    this.file = file;
  }

  /** Reads the file now; a file that is missing or invalid fails here, naming the line. */
  static Tokens load(Path file) throws IOException {
    Tokens t = new Tokens(file);
    Version v = Version.of(file);
    t.entries = parse(file);
    t.seen = v;
    return t;
  }

  static List<Entry> parse(Path file) throws IOException {
    List<Entry> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      String where = "tokens file " + file + " line " + (i + 1);
      if (f.length != 2) {
        throw new IOException(where + ": allowed 'REPO TOKEN' (two fields), found " + f.length + " fields");
      }
      try {
        Protocol.checkRepo(f[0]);
      } catch (IllegalArgumentException e) {
        throw new IOException(where + ": " + e.getMessage());
      }
      if (f[1].length() < MIN_TOKEN_LENGTH) {
        throw new IOException(where + ": token of " + f[1].length() + " characters; at least "
            + MIN_TOKEN_LENGTH + " allowed");
      }
      out.add(new Entry(f[0], sha256(f[1])));
    }
    return List.copyOf(out);
  }

  /** What {@code token} (null when none was presented) grants for {@code repo}. */
  Grant check(String repo, String token) {
    reloadIfChanged();
    if (token == null) {
      return Grant.UNKNOWN_TOKEN;
    }
    byte[] h = sha256(token);
    boolean allowed = false;
    boolean known = false;
    for (Entry e : entries) { // every entry, whatever matched: the time does not tell which did
      boolean same = MessageDigest.isEqual(h, e.tokenHash);
      known |= same;
      allowed |= same & e.repo.equals(repo);
    }
    return allowed ? Grant.ALLOWED : known ? Grant.OTHER_REPOSITORY : Grant.UNKNOWN_TOKEN;
  }

  private void reloadIfChanged() {
    synchronized (this) {
      Version v = null;
      try {
        v = Version.of(file);
        if (v.equals(seen)) {
          return;
        }
        entries = parse(file);
        Receiver.LOG.info("tokens file {} read again: {} entries", file, entries.size());
      } catch (IOException e) {
        if (!Objects.equals(v, seen)) { // once per bad version, not once per request
          Receiver.LOG.warn("tokens file {} not read again, keeping the last good list: {}", file, e.getMessage());
        }
      }
      seen = v; // an invalid version is not parsed again until it changes
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
