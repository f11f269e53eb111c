package dev.smc.spi;

import java.io.IOException;
import java.net.URI;

/**
 * Makes {@link Backend}s for one URI scheme ({@code file}, {@code mem}, later {@code https},
 * {@code s3}). Implementations are found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.smc.spi.BackendFactory}. Thread-safe.
 */
public interface BackendFactory {
  /** The URI scheme this factory serves, lower case. */
  String scheme();

  /** Opens (creating if needed) the backend at {@code location}. */
  Backend open(URI location) throws IOException;
}
