package dev.smc.transfer.repo;

import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backend's packs hold, read from the packs themselves (not from any index). Public for the
 * tests of other packages (the receiver's), which prove with it that no chunk was stored twice.
 */
public final class StoredChunks {
  private StoredChunks() {}

  /** Every chunk in every readable pack, with its stored (compressed) length. */
  public static Map<ChunkId, Integer> in(Backend backend) throws IOException {
    Map<ChunkId, Integer> out = new HashMap<>();
    for (Backend.ObjectInfo o : backend.list(Repository.DATA_PREFIX)) {
      for (PackFormat.Entry e : PackFormat.parse(backend.get(o.name()), o.name())) {
        out.putIfAbsent(e.id(), e.storedLength());
      }
    }
    return out;
  }

  /** Every chunk entry of every pack, a chunk stored in two packs listed twice. */
  public static List<ChunkId> entries(Backend backend) throws IOException {
    List<ChunkId> out = new ArrayList<>();
    for (Backend.ObjectInfo o : backend.list(Repository.DATA_PREFIX)) {
      for (PackFormat.Entry e : PackFormat.parse(backend.get(o.name()), o.name())) {
        out.add(e.id());
      }
    }
    return out;
  }

  /**
   * An offset inside file data of a pack: the middle of its largest data chunk. Flipping a byte
   * there damages content only; tree pieces, which a structural check reads, stay intact.
   */
  static long insideData(Backend backend, String packName) throws IOException {
    PackFormat.Entry best = null;
    for (PackFormat.Entry e : PackFormat.parse(backend.get(packName), packName)) {
      if (e.type() == BlobType.DATA && (best == null || e.storedLength() > best.storedLength())) {
        best = e;
      }
    }
    if (best == null) {
      throw new AssertionError("pack " + packName + " holds no file data");
    }
    return best.offset() + best.storedLength() / 2;
  }

  /** Bytes of all objects under {@code prefix}. */
  public static long bytes(Backend backend, String prefix) throws IOException {
    long n = 0;
    for (Backend.ObjectInfo o : backend.list(prefix)) {
      n += o.size();
    }
    return n;
  }
}
