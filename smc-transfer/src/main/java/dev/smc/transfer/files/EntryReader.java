package dev.smc.transfer.files;

import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Makes the entry of each path the walk finds, taking from the parent image what its ctime says
 * is unchanged and reading the rest from the source. Called on the cycle's thread, in walk order.
 */
final class EntryReader {
  private final Posix posix = Posix.get();
  @Nullable private final ParentTree parent;
  private final FileWarnings warnings;

  EntryReader(@Nullable ParentTree parent, FileWarnings warnings) {
    this.parent = parent;
    this.warnings = warnings;
  }

  /**
   * The entry of a path. An entry whose inode and ctime equal the parent image's takes its
   * attributes, link target and (for files) chunks from there: any change to them would have
   * changed the ctime. Otherwise they are read now.
   */
  Entry describe(byte[] rel, byte[] abs, Stat st) throws IOException {
    Entry e = new Entry();
    e.path = rel;
    e.setStat(st);
    if (st.isRegular()) {
      e.kind = Entry.REG;
    } else if (st.isDirectory()) {
      e.kind = Entry.DIR;
    } else if (st.isSymlink()) {
      e.kind = Entry.LNK;
    } else if (st.isFifo()) {
      e.kind = Entry.FIFO;
    } else if (st.isCharDevice()) {
      e.kind = Entry.CHR;
      e.rdev = st.rdev();
    } else if (st.isBlockDevice()) {
      e.kind = Entry.BLK;
      e.rdev = st.rdev();
    } else {
      e.kind = Entry.SOCK;
    }
    Entry p = parent == null ? null : parent.find(rel);
    if (p != null && p.kind == e.kind && p.ino == e.ino && p.ctimeNs == e.ctimeNs && p.mode == e.mode
        && p.xattrs != null) {
      e.xattrs = p.xattrs;
      e.linkTarget = p.linkTarget;
      if (e.kind == Entry.REG && p.chunks != null && e.sameContentMetadata(p)) {
        e.chunks = p.chunks;
      }
      return e;
    }
    if (e.kind == Entry.LNK) {
      e.linkTarget = posix.readlink(abs);
    } else {
      List<byte[]> names = posix.listXattrs(abs);
      if (!names.isEmpty()) {
        names.sort(Arrays::compareUnsigned);
        e.xattrs = Entry.newXattrs();
        for (byte[] name : names) {
          try {
            e.xattrs.add(new byte[][] {name, posix.getXattr(abs, name)});
          } catch (PosixException x) {
            warnings.warn(rel, "extended attribute " + PathBytes.printable(name) + " cannot be read: " + x.getMessage());
          }
        }
      }
    }
    return e;
  }
}
