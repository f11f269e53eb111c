package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Reads one committed image of a {@link Repository}. Thread-safe. */
final class RepositoryImageReader implements ImageStore.ImageReader {
  private final Repository repo;
  private final ImageManifest manifest;
  private final ImageInfo info;

  RepositoryImageReader(Repository repo, ImageManifest manifest, boolean pinned) {
    this.repo = repo;
    this.manifest = manifest;
    this.info = manifest.info(pinned);
  }

  @Override
  public ImageInfo info() {
    return info;
  }

  /**
   * The image's tree, after checking that every piece of it is available: a tree the repository
   * cannot produce whole fails here, with {@link dev.smc.IntegrityException}, not halfway through.
   */
  @Override
  public InputStream tree() throws IOException {
    return repo.treeStream(manifest, repo.availableLeaves(manifest));
  }

  @Override
  public ByteBuffer chunk(ChunkId id) throws IOException {
    return repo.readChunk(id);
  }

  @Override
  public void chunks(java.util.List<ChunkId> ids, dev.smc.spi.ImageStore.ChunkSink sink) throws IOException {
    repo.readChunks(ids, sink);
  }

  @Override
  public void close() {}
}
