package dev.smc;

import java.util.Objects;

/** A task's identity. For a cycle run outside any task, the image name serves as the id. */
public record TaskId(String value) {
  public TaskId {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return value;
  }
}
