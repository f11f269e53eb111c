package dev.smc.spi;

import java.io.Closeable;
import java.io.IOException;

/** One cycle's view of a source. Closing it releases snapshots or freezes. */
public interface SourceSnapshot extends Closeable {
  /**
   * For file-level sources: the local directory that holds the tree to copy (a mount point or a
   * snapshot of one), as bytes of the platform's file-name encoding.
   */
  byte[] root();

  @Override
  default void close() throws IOException {}
}
