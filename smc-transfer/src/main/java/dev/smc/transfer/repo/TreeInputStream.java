package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads an image's metadata stream chunk by chunk, each verified against its id. Pieces that lie
 * back to back in one pack (as a cycle writes them) are fetched with one read, not one each.
 * Not thread-safe.
 */
final class TreeInputStream extends InputStream {
  /** The most pieces and bytes one read fetches. */
  private static final int RUN_PIECES = 1024;
  private static final int RUN_BYTES = 4 << 20;

  private final Repository repo;
  private final ImageManifest manifest;
  private final ArrayDeque<ByteBuffer> ready = new ArrayDeque<>();
  private int next;
  private List<ChunkId> leaves;
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
      if (ready.isEmpty() && !readRun()) {
        return false;
      }
      cur = ready.poll();
    }
    return true;
  }

  /** Reads the next pieces that are contiguous in one pack. */
  private boolean readRun() throws IOException {
    if (next >= leaves.size()) {
      return false;
    }
    Location first = repo.location(leaves.get(next));
    List<Location> run = new java.util.ArrayList<>();
    run.add(first);
    long end = (long) first.offset() + first.storedLength();
    while (next + run.size() < leaves.size() && run.size() < RUN_PIECES && end - first.offset() < RUN_BYTES) {
      Location l = repo.location(leaves.get(next + run.size()));
      if (!l.pack().equals(first.pack()) || l.offset() != end) {
        break;
      }
      run.add(l);
      end += l.storedLength();
    }
    if (run.size() == 1) {
      ready.add(ByteBuffer.wrap(repo.readChunk(leaves.get(next++), first)));
      return true;
    }
    ByteBuffer span = repo.backend().get(Repository.packObject(first.pack()), first.offset(),
        Math.toIntExact(end - first.offset()));
    for (Location l : run) {
      ByteBuffer stored = span.slice(span.position() + l.offset() - first.offset(), l.storedLength());
      ready.add(ByteBuffer.wrap(repo.decode(leaves.get(next++), l, stored)));
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
