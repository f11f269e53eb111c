package dev.smc.transfer.files;

import dev.smc.spi.ChunkId;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One entry of a file tree image: its path relative to the root (bytes, {@code /}-separated; the
 * root itself is the empty path), metadata, and for regular files the chunks of its content
 * ({@code null} elements are all-zero chunks, restored as holes). Mutable; owned by one thread at a
 * time.
 */
final class Entry {
  static final int REG = 1;
  static final int DIR = 2;
  static final int LNK = 3;
  static final int FIFO = 4;
  static final int CHR = 5;
  static final int BLK = 6;
  static final int SOCK = 7;
  /** A further name of a regular file already in the tree ({@link #linkTo} is its ordinal). */
  static final int HARDLINK = 8;

  int kind;
  byte[] path;
  int mode;
  int uid;
  int gid;
  long mtimeNs;
  long ctimeNs;
  long ino;
  long nlink;
  long size;
  long rdev;
  @Nullable byte[] linkTarget;
  long linkTo = -1;
  List<byte[][]> xattrs = List.of();
  @Nullable ChunkId[] chunks;

  /** Takes the metadata a stat gives: mode, owner, times, inode, links and (for files) size. */
  void setStat(dev.smc.transfer.internal.posix.Stat st) {
    mode = st.mode();
    uid = st.uid();
    gid = st.gid();
    mtimeNs = st.mtimeNs();
    ctimeNs = st.ctimeNs();
    ino = st.ino();
    nlink = st.nlink();
    size = st.isRegular() ? st.size() : 0;
  }

  static List<byte[][]> newXattrs() {
    return new ArrayList<>(2);
  }

  boolean sameContentMetadata(Entry other) {
    return other.kind == REG && kind == REG && size == other.size && mtimeNs == other.mtimeNs
        && ctimeNs == other.ctimeNs && ino == other.ino;
  }
}
