package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/** Finds the data chunks an image's metadata stream refers to, for check and garbage collection. */
@FunctionalInterface
public interface TreeReferences {
  void scan(InputStream tree, Consumer<ChunkId> out) throws IOException;
}
