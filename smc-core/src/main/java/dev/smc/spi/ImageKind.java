package dev.smc.spi;

/** What an image holds: a file tree, or raw disks. */
public enum ImageKind {
  FILES, BLOCKS
}
