package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Verifies a whole pack: its name is the SHA-256 of its trailer (which lists every chunk's
 * SHA-256, so the name commits to the pack's content), and every chunk decompresses to content
 * matching its id.
 */
final class PackVerifier {
  private PackVerifier() {}

  /**
   * Reads only the trailer of the pack stored as {@code data/../pack}, {@code size} bytes long, and
   * checks it against the pack's name; returns its entries. Proves the pack is the one its name
   * says, whole to its end, without reading its chunks.
   */
  static List<PackFormat.Entry> verifyTrailer(Backend b, String pack, long size) throws IOException {
    String name = Repository.packObject(pack);
    if (size < 16) {
      throw new IntegrityException("pack " + pack + ": " + size + " bytes, too short for a trailer");
    }
    ByteBuffer tail = b.get(name, size - 12, 12);
    int len = PackFormat.trailerLength(tail, pack);
    if (len < 16 || len > size) {
      throw new IntegrityException("pack " + pack + ": trailer length " + len + " out of range");
    }
    ByteBuffer whole = b.get(name, size - len, len);
    if (!Hashing.sha256Hex(whole).equals(pack)) {
      throw new IntegrityException("pack " + pack + ": trailer does not match the pack's name");
    }
    return PackFormat.parseTrailer(whole.slice(0, len - 12), size, pack);
  }

  /**
   * Checks a whole pack's trailer against its name and that it parses (every entry within the
   * pack), without reading the chunks: what the pack claims to hold, not that it holds it.
   */
  static List<PackFormat.Entry> verifyStructure(ByteBuffer pack, String name) {
    if (!Hashing.sha256Hex(PackFormat.trailerBytes(pack, name)).equals(name)) {
      throw new IntegrityException("pack " + name + ": trailer does not match the pack's name");
    }
    return PackFormat.parse(pack, name);
  }

  /** The trailer's entries; throws {@link IntegrityException} on the first damage. */
  static List<PackFormat.Entry> verify(ByteBuffer pack, String name) {
    return verify(pack, name, e -> {
      throw e;
    });
  }

  /** Reports every damage to {@code errors}; returns the entries (empty when the trailer is unreadable). */
  static List<PackFormat.Entry> verify(ByteBuffer pack, String name, Consumer<IntegrityException> errors) {
    List<PackFormat.Entry> entries;
    try {
      ByteBuffer trailer = PackFormat.trailerBytes(pack, name);
      if (!Hashing.sha256Hex(trailer).equals(name)) {
        errors.accept(new IntegrityException("pack " + name + ": trailer does not match the pack's name"));
      }
      entries = PackFormat.parse(pack, name);
    } catch (IntegrityException e) {
      errors.accept(e);
      return List.of();
    }
    byte[] src = new byte[0];
    byte[] raw = new byte[0];
    for (PackFormat.Entry en : entries) {
      if (src.length < en.storedLength()) {
        src = new byte[en.storedLength()];
      }
      if (raw.length < en.rawLength()) {
        raw = new byte[en.rawLength()];
      }
      pack.duplicate().position(en.offset()).get(src, 0, en.storedLength());
      try {
        en.codec().decompress(src, 0, en.storedLength(), raw, en.rawLength());
        if (!Arrays.equals(Hashing.sha256(raw, 0, en.rawLength()), en.id().toBytes())) {
          errors.accept(new IntegrityException("pack " + name + " at " + en.offset() + ": chunk " + en.id()
              + " does not match its hash"));
        }
      } catch (IntegrityException ex) {
        errors.accept(new IntegrityException("pack " + name + " at " + en.offset() + ": chunk " + en.id() + ": "
            + ex.getMessage(), ex));
      }
    }
    return entries;
  }
}
