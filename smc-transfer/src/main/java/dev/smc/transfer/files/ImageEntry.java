package dev.smc.transfer.files;

import java.time.Instant;
import javax.annotation.Nullable;

/**
 * One entry of a file-tree image as a listing shows it. Paths are relative to the image's root,
 * {@code /}-separated, printable (bytes that are not UTF-8 are escaped as {@code \xNN}); the root
 * itself is {@code /}. Immutable.
 *
 * @param size bytes of a regular file (or hard link), 0 otherwise
 * @param mode permission bits with setuid, setgid and sticky ({@code 07777})
 * @param target a symlink's target, or the first name of a hard link's file; null otherwise
 */
public record ImageEntry(String path, Type type, long size, int mode, int uid, int gid, Instant mtime,
    @Nullable String target) {

  /** What kind of entry it is. */
  public enum Type {
    FILE('-'), DIR('d'), SYMLINK('l'), HARDLINK('h'), FIFO('p'), CHAR_DEVICE('c'), BLOCK_DEVICE('b'), SOCKET('s');

    private final char letter;

    Type(char letter) {
      this.letter = letter;
    }

    /** The letter {@code ls -l} shows ({@code h} for a further name of a file). */
    public char letter() {
      return letter;
    }
  }

  /** {@code drwxr-xr-x}-style type and permissions. */
  public String modeString() {
    StringBuilder sb = new StringBuilder().append(type.letter());
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    if ((mode & 04000) != 0) {
      sb.setCharAt(3, sb.charAt(3) == 'x' ? 's' : 'S');
    }
    if ((mode & 02000) != 0) {
      sb.setCharAt(6, sb.charAt(6) == 'x' ? 's' : 'S');
    }
    if ((mode & 01000) != 0) {
      sb.setCharAt(9, sb.charAt(9) == 'x' ? 't' : 'T');
    }
    return sb.toString();
  }

  static ImageEntry of(Entry e, @Nullable String target) {
    Type t = switch (e.kind) {
      case Entry.REG -> Type.FILE;
      case Entry.DIR -> Type.DIR;
      case Entry.LNK -> Type.SYMLINK;
      case Entry.HARDLINK -> Type.HARDLINK;
      case Entry.FIFO -> Type.FIFO;
      case Entry.CHR -> Type.CHAR_DEVICE;
      case Entry.BLK -> Type.BLOCK_DEVICE;
      default -> Type.SOCKET;
    };
    String path = e.path.length == 0 ? "/" : dev.smc.transfer.internal.posix.PathBytes.printable(e.path);
    Instant mtime = Instant.ofEpochSecond(Math.floorDiv(e.mtimeNs, 1_000_000_000L),
        Math.floorMod(e.mtimeNs, 1_000_000_000L));
    return new ImageEntry(path, t, e.kind == Entry.REG || e.kind == Entry.HARDLINK ? e.size : 0, e.mode & 07777, e.uid,
        e.gid, mtime, target);
  }
}
