package dev.smc.transfer.files;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Which entries of a file image a restore writes, and where: the paths included (with what lies below them;
 * none: everything), and for one file system of a server image its mount point, whose entries are written
 * relative to it, and the mount points inside it, below which nothing is written. Immutable.
 *
 * @param include paths (tree bytes) to restore with what lies below them; empty: everything
 * @param base the mount point of the file system restored, or null for the whole image
 * @param inner the mount points inside {@code base}
 */
record RestoreScope(List<byte[]> include, @Nullable byte[] base, List<byte[]> inner) {
  static final RestoreScope ALL = new RestoreScope(List.of(), null, List.of());

  RestoreScope {
    include = List.copyOf(include);
    inner = List.copyOf(inner);
  }

  RestoreScope include(List<String> paths) {
    List<byte[]> p = new ArrayList<>();
    for (String s : paths) {
      p.add(ImageContents.normalize("include", s));
    }
    return new RestoreScope(p, base, inner);
  }

  RestoreScope fileSystem(String mountPoint, List<String> innerMounts) {
    if (!include.isEmpty()) {
      throw new IllegalStateException("a file system's restore takes no include paths");
    }
    List<byte[]> in = new ArrayList<>();
    for (String m : innerMounts) {
      in.add(ImageContents.normalize("innerMounts", m));
    }
    return new RestoreScope(include, ImageContents.normalize("mountPoint", mountPoint), in);
  }

  /** The entry's path where it is written (relative to the mount point), or null when it is not restored here. */
  @Nullable
  byte[] rebase(byte[] path) {
    if (base == null) {
      return path;
    }
    if (!ImageContents.under(path, base)) {
      return null;
    }
    for (byte[] m : inner) {
      if (path.length > m.length && ImageContents.under(path, m)) {
        return null;
      }
    }
    if (base.length == 0) {
      return path;
    }
    return path.length == base.length ? new byte[0] : Arrays.copyOfRange(path, base.length + 1, path.length);
  }

  /** Whether an entry is restored: all when nothing is included, else at or below an included path. */
  boolean selected(byte[] path) {
    if (include.isEmpty()) {
      return true;
    }
    for (byte[] p : include) {
      if (ImageContents.under(path, p)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a folder lies above an included path (it is made, so the path has its place). */
  boolean above(byte[] path) {
    for (byte[] p : include) {
      if (path.length < p.length && ImageContents.under(p, path)) {
        return true;
      }
    }
    return false;
  }
}
