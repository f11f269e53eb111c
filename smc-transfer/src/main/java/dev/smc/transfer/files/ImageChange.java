package dev.smc.transfer.files;

import java.util.List;
import javax.annotation.Nullable;

/**
 * One difference between two file-tree images, as {@link ImageContents#diff} reports it.
 * Immutable.
 *
 * @param before the entry in the first image; null for an added entry
 * @param after the entry in the second image; null for a removed entry
 * @param what for a changed entry, what changed: {@code type}, {@code content}, {@code mode},
 *     {@code owner}, {@code mtime}, {@code target}, {@code xattrs}, {@code device}
 */
public record ImageChange(Kind kind, String path, @Nullable ImageEntry before, @Nullable ImageEntry after,
    List<String> what) {

  /** Added in the second image, removed from it, or in both but changed. */
  public enum Kind {
    ADDED('+'), REMOVED('-'), CHANGED('M');

    private final char sign;

    Kind(char sign) {
      this.sign = sign;
    }

    public char sign() {
      return sign;
    }
  }

  public ImageChange {
    what = List.copyOf(what);
  }
}
