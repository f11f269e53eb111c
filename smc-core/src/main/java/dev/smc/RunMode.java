package dev.smc;

import java.time.Instant;

/** When a new task first runs: now, at a scheduled time, or only when started. */
public sealed interface RunMode permits RunMode.Now, RunMode.At, RunMode.CreateOnly {
  static RunMode now() {
    return Now.INSTANCE;
  }

  static RunMode at(Instant when) {
    return new At(when);
  }

  static RunMode createOnly() {
    return CreateOnly.INSTANCE;
  }

  /** Run as soon as the task is created. */
  record Now() implements RunMode {
    static final Now INSTANCE = new Now();

    @Override
    public String toString() {
      return "now";
    }
  }

  /** Run at {@code when}: at least 10 minutes and at most 30 days after creation. */
  record At(Instant when) implements RunMode {
    public At {
      java.util.Objects.requireNonNull(when, "when");
    }

    @Override
    public String toString() {
      return "at:" + when;
    }
  }

  /** Stay Ready until started. */
  record CreateOnly() implements RunMode {
    static final CreateOnly INSTANCE = new CreateOnly();

    @Override
    public String toString() {
      return "create-only";
    }
  }
}
