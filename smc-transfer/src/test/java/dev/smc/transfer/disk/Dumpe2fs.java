package dev.smc.transfer.disk;

import java.io.IOException;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the real {@code dumpe2fs} says of an ext2/3/4 file system: its counts and, block by block, which blocks
 * are free — the witness the bitmap reader and the block engine are checked against.
 *
 * @param blocks the block count
 * @param freeBlocks the superblock's free block count
 * @param blockSize bytes a block
 * @param free the free blocks, from every group's "Free blocks:" line (bigalloc: whole clusters)
 */
public record Dumpe2fs(long blocks, long freeBlocks, int blockSize, BitSet free) {
  /** Runs {@code dumpe2fs} on {@code device} (a path, with {@code ?offset=N} for a file system inside a disk). */
  public static Dumpe2fs of(String device) throws IOException {
    String h = Disks.run("dumpe2fs", "-h", device);
    long blocks = FileSystemsTest.dumpe2fsField(h, "Block count");
    int bs = (int) FileSystemsTest.dumpe2fsField(h, "Block size");
    Matcher c = Pattern.compile("(?m)^Cluster size:\\s+(\\d+)$").matcher(h);
    int ratio = c.find() ? Integer.parseInt(c.group(1)) / bs : 1;
    BitSet free = new BitSet();
    // "  Free blocks: 11689-16384, 16390" per group; with bigalloc each number is a cluster's first block
    Matcher m = Pattern.compile("(?m)^  Free blocks: (.*)$").matcher(Disks.run("dumpe2fs", device));
    while (m.find()) {
      for (String range : m.group(1).split(",")) {
        range = range.trim();
        if (!range.isEmpty()) {
          String[] ab = range.split("-");
          long a = Long.parseLong(ab[0]);
          long b = Long.parseLong(ab[ab.length - 1]) + ratio - 1;
          free.set((int) a, (int) Math.min(b, blocks - 1) + 1);
        }
      }
    }
    return new Dumpe2fs(blocks, FileSystemsTest.dumpe2fsField(h, "Free blocks"), bs, free);
  }

  /** Runs a disk tool (found in /usr/sbin and /sbin too) and returns its standard output. */
  public static String run(String... cmd) throws IOException {
    return Disks.run(cmd);
  }
}
