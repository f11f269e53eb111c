package dev.smc.transfer.blocks;

import dev.smc.spi.ChunkId;
import dev.smc.transfer.repo.TreeReferences;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Finds the data chunks a block image refers to, and the disk ranges lost chunks damage (for check and gc). */
public final class BlockTreeReferences implements TreeReferences {
  @Override
  public void scan(InputStream tree, Consumer<ChunkId> out) throws IOException {
    BlockTree.references(tree, out);
  }

  /** One line a run of damaged blocks: {@code disk bytes 1048576-1114111 (16 blocks of 4096) lost}. */
  @Override
  public void damage(InputStream tree, Predicate<ChunkId> lost, Consumer<String> out) throws IOException {
    try (BlockTree.Reader r = new BlockTree.Reader(tree)) {
      long bs = r.blockSize();
      long runStart = -1;
      for (long i = 0; i <= r.blocks(); i++) {
        boolean bad = false;
        if (i < r.blocks()) {
          ChunkId c = r.next();
          bad = c != null && lost.test(c);
        }
        if (bad && runStart < 0) {
          runStart = i;
        } else if (!bad && runStart >= 0) {
          long end = Math.min(i * bs, r.diskSize()) - 1;
          out.accept("disk bytes " + runStart * bs + "-" + end + " (" + (i - runStart) + " block(s) of " + bs
              + ") lost");
          runStart = -1;
        }
      }
    }
  }
}
