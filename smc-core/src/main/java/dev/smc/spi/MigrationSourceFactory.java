package dev.smc.spi;

import java.io.IOException;

/**
 * Makes {@link MigrationSource}s that a task names by a scheme of their own ({@code tar:/srv/exports/web.tar},
 * {@code vendor-x:instance-42}), for sources that are not a path on this machine. A task's source
 * {@code SCHEME:LOCATION} is handed to the factory of that scheme; its cycles copy the files of each
 * {@link MigrationSource#open()} snapshot's root, file by file, incrementally like any other source.
 * Implementations are found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.smc.spi.MigrationSourceFactory}. Thread-safe.
 */
public interface MigrationSourceFactory {
  /** The scheme this factory serves: lower case, a letter then letters, digits, '+', '-' or '.'. */
  String scheme();

  /** The source at {@code location} (what follows {@code SCHEME:}); fails when it cannot be reached. */
  MigrationSource open(String location) throws IOException;
}
