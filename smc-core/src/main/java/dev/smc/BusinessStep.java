package dev.smc;

/** What a Running task is doing: Preparing → Syncing → Processing → Cleaning. */
public enum BusinessStep {
  Preparing, Syncing, Processing, Cleaning
}
