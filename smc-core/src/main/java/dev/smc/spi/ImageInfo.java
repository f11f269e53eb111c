package dev.smc.spi;

import dev.smc.ImageRef;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A committed image: its name and cycle, kind, parent, creation time, the engine's summary
 * properties (files, bytes, ...) and whether it is pinned against retention. Immutable.
 */
public record ImageInfo(ImageRef ref, ImageKind kind, Optional<ImageRef> parent, Instant created,
    Map<String, String> properties, boolean pinned) {
  public ImageInfo {
    properties = Map.copyOf(properties);
  }

  public long longProperty(String key) {
    String v = properties.get(key);
    return v == null ? 0 : Long.parseLong(v);
  }
}
