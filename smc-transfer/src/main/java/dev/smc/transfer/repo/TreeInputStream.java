package dev.smc.transfer.repo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Reads an image's metadata stream chunk by chunk, each verified against its id. Not thread-safe. */
final class TreeInputStream extends InputStream {
  private final Repository repo;
  private final ImageManifest manifest;
  private int next;
  private java.util.List<dev.smc.spi.ChunkId> leaves;
  private ByteBuffer cur = ByteBuffer.allocate(0);

  TreeInputStream(Repository repo, ImageManifest manifest) {
    this.repo = repo;
    this.manifest = manifest;
  }

  private boolean fill() throws IOException {
    if (leaves == null) {
      leaves = repo.leaves(manifest);
    }
    while (!cur.hasRemaining()) {
      if (next >= leaves.size()) {
        return false;
      }
      cur = repo.readChunk(leaves.get(next++));
    }
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
