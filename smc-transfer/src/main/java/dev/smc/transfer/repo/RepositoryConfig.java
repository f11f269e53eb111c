package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The repository's {@code config} object: format version, random id, hash, chunker and chunk size,
 * sealed by a SHA-256 line. A config is accepted only when it is exactly one this version writes
 * (or, unsealed, exactly one earlier builds wrote): an edited field ({@code hash=md5}, another
 * chunk size, an extra line) is refused, never silently used.
 */
record RepositoryConfig(String id, int chunkSize) {
  private static final String HEADER = "smc-repository";
  private static final List<String> KEYS = List.of("version", "id", "hash", "chunker", "chunkSize");

  /** A new config with a random id. */
  static RepositoryConfig create(int chunkSize) {
    byte[] rnd = new byte[16];
    ThreadLocalRandom.current().nextBytes(rnd);
    return new RepositoryConfig(HexFormat.of().formatHex(rnd), chunkSize);
  }

  ByteBuffer encode() {
    String body = HEADER + "\nversion=1\nid=" + id + "\nhash=sha256\nchunker=fixed\nchunkSize=" + chunkSize + "\n";
    String seal = "sha256=" + Hashing.sha256Hex(ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII))) + "\n";
    return ByteBuffer.wrap((body + seal).getBytes(StandardCharsets.US_ASCII));
  }

  /** Parses a stored config; {@link IntegrityException} naming what is wrong otherwise. */
  static RepositoryConfig parse(ByteBuffer raw, String location) {
    String text = StandardCharsets.UTF_8.decode(raw.duplicate()).toString();
    String where = "repository " + location + ": 'config' ";
    if (!text.startsWith(HEADER + "\n")) {
      throw new IntegrityException(where + "is not an smc repository config (its first line is not '" + HEADER + "')");
    }
    if (!text.endsWith("\n") || text.length() > 1024) {
      throw new IntegrityException(where + "is not one this smc wrote (not a few complete lines)");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    int seal = lines.length - 1;
    boolean sealed = lines[seal].startsWith("sha256=");
    int fields = sealed ? seal - 1 : seal;
    if (fields != KEYS.size()) {
      throw new IntegrityException(where + "is not one this smc wrote: " + fields + " fields, expected the "
          + KEYS.size() + " lines " + KEYS + " in this order");
    }
    if (sealed) {
      String body = text.substring(0, text.lastIndexOf("sha256="));
      String got = Hashing.sha256Hex(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
      if (!lines[seal].equals("sha256=" + got)) {
        throw new IntegrityException(where + "was changed after smc wrote it (its seal does not match); restore the"
            + " original config");
      }
    }
    String[] v = new String[KEYS.size()];
    for (int i = 0; i < KEYS.size(); i++) {
      String line = lines[i + 1];
      String key = KEYS.get(i);
      if (!line.startsWith(key + "=")) {
        throw new IntegrityException(where + "line " + (i + 2) + " is '" + line + "'; expected '" + key + "=...'");
      }
      v[i] = line.substring(key.length() + 1);
    }
    if (!v[0].equals("1")) {
      throw new IntegrityException("repository " + location + ": format version " + v[0]
          + " is not supported (this smc reads version 1)");
    }
    if (!v[1].matches("[0-9a-f]{32}")) {
      throw new IntegrityException(where + "id '" + v[1] + "' is not 32 hex digits");
    }
    if (!v[2].equals("sha256")) {
      throw new IntegrityException(where + "hash '" + v[2] + "' is not supported (allowed: sha256)");
    }
    if (!v[3].equals("fixed")) {
      throw new IntegrityException(where + "chunker '" + v[3] + "' is not supported (allowed: fixed)");
    }
    int size;
    try {
      size = Integer.parseInt(v[4]);
    } catch (NumberFormatException e) {
      size = -1;
    }
    if (size < 4096 || size > (8 << 20) || Integer.bitCount(size) != 1 || !v[4].equals(Integer.toString(size))) {
      throw new IntegrityException(where + "chunkSize '" + v[4] + "' is not allowed (a power of two, 4096..8388608)");
    }
    return new RepositoryConfig(v[1], size);
  }
}
