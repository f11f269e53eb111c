package dev.smc.spi;

import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The repository of images: content-addressed chunks plus, per image, an engine-defined metadata
 * stream (the "tree": which files or blocks the image holds and which chunks make them up).
 * Engines write images through {@link ImageWriter}; nothing is visible until
 * {@link ImageWriter#commit}. Implementations are thread-safe; several writers, also in other
 * processes, may use one store at once.
 */
public interface ImageStore extends Closeable {

  /** Every committed image, sorted by name then cycle. */
  List<ImageInfo> images() throws IOException;

  /** One committed image. */
  Optional<ImageInfo> image(ImageRef ref) throws IOException;

  /**
   * Starts the next cycle of {@code imageName}: cycle 1 if none exists, else the newest cycle + 1,
   * whose image becomes the parent. The cycle number is claimed at {@link ImageWriter#commit}; if
   * another writer commits the same number first, commit fails with {@code ALREADY_EXISTS}.
   * {@code options} set compression, bandwidth limit and checksum verification of this cycle.
   */
  ImageWriter newImage(String imageName, ImageKind kind, TransferOptions options) throws IOException;

  /** Opens a committed image for reading. */
  ImageReader openImage(ImageRef ref) throws IOException;

  /** Writes one new image. Not thread-safe except where a method says so. */
  interface ImageWriter extends Closeable {
    ImageRef ref();

    /** The newest committed image of the same name when this writer started. */
    Optional<ImageInfo> parent();

    /**
     * Whether the store holds this chunk and can produce it (an index lists it in data that exists):
     * an engine that reuses a chunk id of the parent image without storing the chunk asks this first,
     * and reads the data again when the answer is no. Thread-safe.
     */
    boolean hasChunk(ChunkId id) throws IOException;

    /**
     * Stores a chunk unless the store already holds it; returns the bytes newly written (0 when
     * deduplicated). Reads {@code data} from position to limit; the caller may reuse it afterwards.
     * Thread-safe; may block while earlier chunks are written.
     */
    long putChunk(ChunkId id, ByteBuffer data) throws IOException;

    /**
     * Appends one piece to this image's metadata stream. Each piece is stored as one chunk, so an
     * engine that cuts its stream at stable places (for example after entries chosen by a hash of
     * their path) makes unchanged pieces deduplicate between cycles; keep pieces under 1 MiB.
     */
    void writeTree(byte[] b, int off, int len) throws IOException;

    /**
     * Makes the image visible after every chunk and the tree are durable (data, then index, then
     * manifest). Returns the committed image.
     */
    ImageInfo commit(Map<String, String> properties) throws IOException;

    /** Bytes newly written to the store so far (after compression). */
    long bytesStored();

    /**
     * Bytes that have left for the store so far: what the link carried, paced by the bandwidth limit. It lags
     * {@link #bytesStored()} while packs wait to be uploaded and adds what framing and re-sends cost; this default,
     * for a store that writes at once, is {@code bytesStored()}.
     */
    default long bytesSent() {
      return bytesStored();
    }

    /**
     * Damage the store found while this image was written, one line each (for example a pack of
     * earlier images that is missing): this image does not rely on it — {@link #hasChunk} is false
     * for every chunk the store cannot produce, so the engine stores such chunks again — but earlier
     * images may. Engines add these lines to the cycle's warnings.
     */
    default List<String> storeDamage() {
      return List.of();
    }

    /** Abandons the image unless committed; already stored chunks stay and are reused by a rerun. */
    @Override
    void close() throws IOException;
  }

  /** Reads one committed image. Thread-safe. */
  interface ImageReader extends Closeable {
    ImageInfo info();

    /** The image's metadata stream, from its start. */
    InputStream tree() throws IOException;

    /** A chunk's raw (uncompressed, verified) content. */
    ByteBuffer chunk(ChunkId id) throws IOException;

    /**
     * Reads several chunks, handing each to {@code sink} with its index in {@code ids}, in any
     * order; a store may fetch chunks that are stored side by side with one read. The buffers are
     * valid only during the call to the sink. Default: {@link #chunk} one by one.
     */
    default void chunks(java.util.List<ChunkId> ids, ChunkSink sink) throws IOException {
      for (int i = 0; i < ids.size(); i++) {
        sink.accept(i, chunk(ids.get(i)));
      }
    }
  }

  /** Receives the chunks {@link ImageReader#chunks} reads. */
  @FunctionalInterface
  interface ChunkSink {
    void accept(int index, ByteBuffer data) throws IOException;
  }
}
