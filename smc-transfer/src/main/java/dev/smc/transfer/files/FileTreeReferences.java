package dev.smc.transfer.files;

import dev.smc.spi.ChunkId;
import dev.smc.transfer.repo.TreeReferences;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/** Finds the data chunks a file-tree image refers to (for check and garbage collection). */
public final class FileTreeReferences implements TreeReferences {
  @Override
  public void scan(InputStream tree, Consumer<ChunkId> out) throws IOException {
    TreeFormat.references(tree, out);
  }
}
