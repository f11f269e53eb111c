package dev.smc.transfer.blocks;

import dev.smc.spi.ChunkId;
import dev.smc.transfer.repo.TreeReferences;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/** Finds the data chunks a block image refers to (for check and garbage collection). */
public final class BlockTreeReferences implements TreeReferences {
  @Override
  public void scan(InputStream tree, Consumer<ChunkId> out) throws IOException {
    BlockTree.references(tree, out);
  }
}
