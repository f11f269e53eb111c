package dev.smc;

/** Whether a cycle copies everything (the first) or only what changed since its parent image. */
public enum CycleType {
  FULL, INCREMENTAL
}
