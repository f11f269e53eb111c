package dev.smc;

import dev.smc.internal.Checks;
import java.time.Duration;

/**
 * Automatic incremental synchronisation: a cycle every {@code interval} (1 h to 7 days), keeping
 * the newest {@code maxImages} (1-10) images. Immutable and thread-safe.
 */
public record SyncPolicy(Duration interval, int maxImages) {
  public static final Duration MIN_INTERVAL = Duration.ofHours(1);
  public static final Duration MAX_INTERVAL = Duration.ofHours(168);
  public static final int MIN_IMAGES = 1;
  public static final int MAX_IMAGES = 10;

  public SyncPolicy {
    Checks c = new Checks();
    validate(c, interval, maxImages);
    c.throwIfAny();
  }

  /** Adds the errors of these values to {@code c} without throwing (for {@link TaskSpec}'s builder). */
  static void validate(Checks c, Duration interval, int maxImages) {
    c.range("interval", interval, MIN_INTERVAL, MAX_INTERVAL, "allowed 1h..168h (1 hour to 7 days)");
    c.range("maxImages", maxImages, MIN_IMAGES, MAX_IMAGES);
  }
}
