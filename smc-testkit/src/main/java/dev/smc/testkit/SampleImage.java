package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageStore.ImageReader;
import dev.smc.spi.ImageStore.ImageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One image's content from a fixed seed, for {@link ImageStoreContract}: chunks of several sizes
 * named by their SHA-256, and a tree of many pieces (one of them twice) that together make its
 * metadata stream. It writes itself to an {@link ImageWriter} as an engine would and checks an
 * {@link ImageReader} against itself byte for byte. Immutable and thread-safe.
 */
final class SampleImage {
  private static final int[] SIZES = {1, 100, 4096, 65_536, 65_536, 1 << 20};

  private final List<byte[]> chunks = new ArrayList<>();
  private final List<ChunkId> ids = new ArrayList<>();
  private final List<byte[]> pieces = new ArrayList<>();

  private SampleImage(long seed, int treePieces) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int size : SIZES) {
      byte[] c = bytes(size, r.nextLong());
      chunks.add(c);
      ids.add(idOf(c));
    }
    for (int i = 0; i < treePieces; i++) {
      pieces.add(bytes(1 + r.nextInt(i == 0 ? 200_000 : 600), r.nextLong()));
    }
    if (treePieces > 2) {
      pieces.add(pieces.get(1)); // identical pieces still appear twice in the stream
    }
  }

  /** Six chunks (1 byte to 1 MiB) and a tree of {@code treePieces} pieces (plus a repeat), all from {@code seed}. */
  static SampleImage of(long seed, int treePieces) {
    return new SampleImage(seed, treePieces);
  }

  /** Six chunks and a tree of 40 pieces from {@code seed}. */
  static SampleImage of(long seed) {
    return of(seed, 40);
  }

  /** {@code n} bytes from {@code seed}. */
  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** The id of a chunk: the SHA-256 of its content. */
  static ChunkId idOf(byte[] content) {
    try {
      return ChunkId.of(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  List<ChunkId> ids() {
    return List.copyOf(ids);
  }

  byte[] chunk(int i) {
    return chunks.get(i).clone();
  }

  /** The metadata stream: every piece, in order. */
  byte[] tree() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pieces.forEach(out::writeBytes);
    return out.toByteArray();
  }

  /**
   * Stores every chunk from buffers that start and end inside larger arrays (one direct), then
   * spoils those buffers, as a caller may reuse them; then writes the tree piece by piece from the
   * middle of larger arrays. Returns the sum of what {@link ImageWriter#putChunk} returned.
   */
  long writeTo(ImageWriter w) throws IOException {
    long newly = 0;
    for (int i = 0; i < chunks.size(); i++) {
      byte[] c = chunks.get(i);
      ByteBuffer b;
      if (i % 2 == 0) {
        byte[] padded = new byte[c.length + 20];
        System.arraycopy(c, 0, padded, 7, c.length);
        b = ByteBuffer.wrap(padded, 7, c.length);
        newly += w.putChunk(ids.get(i), b);
        Arrays.fill(padded, (byte) 0x5a);
      } else {
        b = ByteBuffer.allocateDirect(c.length + 9).position(9);
        b.put(c).position(9);
        newly += w.putChunk(ids.get(i), b);
        b.clear();
        while (b.hasRemaining()) {
          b.put((byte) 0x5a);
        }
      }
    }
    for (byte[] p : pieces) {
      byte[] padded = new byte[p.length + 11];
      System.arraycopy(p, 0, padded, 3, p.length);
      w.writeTree(padded, 3, p.length);
      Arrays.fill(padded, (byte) 0x5a);
    }
    return newly;
  }

  /** Checks that {@code r} reads back exactly this tree and these chunks, one by one and several at once. */
  void assertReadsBack(ImageReader r) throws IOException {
    try (InputStream in = r.tree()) {
      assertArrayEquals(tree(), in.readAllBytes(), "the tree of " + r.info().ref() + " read back");
    }
    for (int i = 0; i < chunks.size(); i++) {
      assertArrayEquals(chunks.get(i), array(r.chunk(ids.get(i))), "chunk " + i + " of " + chunks.get(i).length
          + " bytes read back");
    }
    List<ChunkId> asked = new ArrayList<>(ids);
    asked.add(ids.get(2)); // one id twice
    byte[][] got = new byte[asked.size()][];
    r.chunks(asked, (index, data) -> {
      assertEquals(null, got[index], "chunks() handed index " + index + " twice");
      got[index] = array(data);
    });
    for (int i = 0; i < asked.size(); i++) {
      assertNotNull(got[i], "chunks() never handed index " + i);
      assertArrayEquals(chunks.get(i < ids.size() ? i : 2), got[i], "chunks() index " + i);
    }
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
