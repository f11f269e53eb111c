package dev.smc.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Damages a repository kept in a local folder the way a bad disk would: one byte of file (or disk)
 * data in a pack, for tests of what a restore or a check does with damaged data. Stateless.
 */
public final class PackDamage {
  private PackDamage() {}

  /**
   * Flips a byte in the middle of the largest data chunk of the largest pack under {@code repo},
   * found from the pack's trailer (docs/architecture.md: entries of type u8, codec u8, offset u32,
   * stored u32, raw u32, id 32; then the trailer's length u32 and magic), so only content is damaged.
   */
  public static void flipDataByte(Path repo) throws IOException {
    Path pack;
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      pack = s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    byte[] all = Files.readAllBytes(pack);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int start = all.length - b.getInt(all.length - 12);
    int count = b.getInt(start);
    long at = -1;
    int best = 0;
    for (int i = 0; i < count; i++) {
      int e = start + 4 + i * 46;
      int stored = b.getInt(e + 6);
      if (all[e] == 0 && stored > best) {
        best = stored;
        at = b.getInt(e + 2) + stored / 2;
      }
    }
    if (at < 0) {
      throw new AssertionError("no data chunk in " + pack);
    }
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.seek(at);
      int v = f.read();
      f.seek(at);
      f.write(v ^ 0x10);
    }
  }
}
