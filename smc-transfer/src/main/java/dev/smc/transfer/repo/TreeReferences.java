package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Finds the data chunks an image's metadata stream refers to, for check and garbage collection,
 * and says what of the image lost chunks damage. An engine registers one for the kind of image it
 * writes.
 */
@FunctionalInterface
public interface TreeReferences {
  void scan(InputStream tree, Consumer<ChunkId> out) throws IOException;

  /**
   * Hands to {@code out}, one line each, what of the image the chunks for which {@code lost} is true
   * damage, in the image's own terms: a file tree names its files, a disk image its byte ranges.
   * Default: nothing (check then reports the lost chunks only).
   */
  default void damage(InputStream tree, Predicate<ChunkId> lost, Consumer<String> out) throws IOException {}
}
