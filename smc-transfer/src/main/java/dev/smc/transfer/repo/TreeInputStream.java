package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Reads an image's metadata stream chunk by chunk, each verified against its id. Pieces that lie
 * back to back in one pack (as a cycle writes them) are fetched with one read, not one each.
 * Not thread-safe.
 */
final class TreeInputStream extends InputStream {
  /** Pieces read at once. */
  private static final int BATCH = 1024;

  private final Repository repo;
  private final ImageManifest manifest;
  private final ArrayDeque<ByteBuffer> ready = new ArrayDeque<>();
  private int next;
  private List<ChunkId> leaves;
  private ByteBuffer cur = ByteBuffer.allocate(0);

  TreeInputStream(Repository repo, ImageManifest manifest, @Nullable List<ChunkId> leaves) {
    this.repo = repo;
    this.manifest = manifest;
    this.leaves = leaves;
  }

  private boolean fill() throws IOException {
    if (leaves == null) {
      leaves = repo.leaves(manifest);
    }
    while (!cur.hasRemaining()) {
      if (ready.isEmpty() && !readRun()) {
        return false;
      }
      cur = ready.poll();
    }
    return true;
  }

  /** Reads the next pieces (up to {@link #BATCH}); neighbours in a pack come with one read. */
  private boolean readRun() throws IOException {
    if (next >= leaves.size()) {
      return false;
    }
    List<ChunkId> batch = leaves.subList(next, Math.min(leaves.size(), next + BATCH));
    ByteBuffer[] got = new ByteBuffer[batch.size()];
    repo.readChunks(batch, (i, data) -> {
      byte[] copy = new byte[data.remaining()];
      data.duplicate().get(copy);
      got[i] = ByteBuffer.wrap(copy);
    });
    next += batch.size();
    ready.addAll(java.util.Arrays.asList(got));
    return true;
  }

  @Override
  public int read() throws IOException {
    return fill() ? cur.get() & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, cur.remaining());
    cur.get(b, off, n);
    return n;
  }
}
