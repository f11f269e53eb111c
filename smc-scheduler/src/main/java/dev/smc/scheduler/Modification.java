package dev.smc.scheduler;

import java.time.Duration;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * What {@link Migrations#modify} changes: name and description (any state), interval and max
 * images (Ready or Waiting, incremental tasks only). Absent fields stay as they are. Immutable.
 */
public record Modification(Optional<String> name, Optional<String> description, Optional<Duration> interval,
    Optional<Integer> maxImages) {

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the sync policy changes. */
  public boolean policy() {
    return interval.isPresent() || maxImages.isPresent();
  }

  /** Collects a modification. Not thread-safe. */
  public static final class Builder {
    private String name;
    private String description;
    private Duration interval;
    private Integer maxImages;

    public Builder name(@Nullable String name) {
      this.name = name;
      return this;
    }

    public Builder description(@Nullable String description) {
      this.description = description;
      return this;
    }

    public Builder interval(@Nullable Duration interval) {
      this.interval = interval;
      return this;
    }

    public Builder maxImages(@Nullable Integer maxImages) {
      this.maxImages = maxImages;
      return this;
    }

    public Modification build() {
      return new Modification(Optional.ofNullable(name), Optional.ofNullable(description),
          Optional.ofNullable(interval), Optional.ofNullable(maxImages));
    }
  }
}
