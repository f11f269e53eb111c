package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import dev.smc.transfer.codec.Codec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Index files that parse (of made-up packs and chunks), for the tests of other packages (the
 * receiver's), which upload them where only a well-formed index is accepted.
 */
public final class IndexFiles {
  private IndexFiles() {}

  /** A well-formed index file of at least {@code bytes} bytes, the same for the same seed. */
  public static ByteBuffer valid(long seed, int bytes) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, List<PackFormat.Entry>> packs = new LinkedHashMap<>();
    int size = 12;
    while (size < bytes) {
      byte[] pack = new byte[32];
      rnd.nextBytes(pack);
      List<PackFormat.Entry> entries = new ArrayList<>();
      for (int i = 0, offset = 0; i < 1000; i++, offset += 4096) {
        byte[] id = new byte[ChunkId.LENGTH];
        rnd.nextBytes(id);
        entries.add(new PackFormat.Entry(ChunkId.of(id), BlobType.DATA, Codec.NONE, offset, 4096, 4096));
      }
      packs.put(HexFormat.of().formatHex(pack), entries);
      size += 36 + entries.size() * PackFormat.ENTRY;
    }
    return IndexFormat.encode(packs);
  }
}
