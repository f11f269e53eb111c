package dev.smc.examples.cli;

import dev.smc.ExcludePattern;
import dev.smc.InvalidSpecException;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code --exclude-from FILE}: a regular file (examined before it is opened, so a FIFO cannot
 * hang the command) of at most 16 MiB, one pattern per line, each checked as {@link ExcludePattern}
 * checks patterns. Stateless.
 */
final class ExcludeFiles {
  private static final long MAX_BYTES = 16 << 20;

  private ExcludeFiles() {}

  /** The lines of {@code file}; a bad file or pattern is a usage error naming the file (and line). */
  static List<String> read(String command, String file) {
    String bad = command + ": --exclude-from '" + file + "': ";
    Stat st;
    try {
      st = Posix.get().stat(PathBytes.of(Path.of(file).toAbsolutePath()));
    } catch (PosixException e) {
      throw new UsageException(bad + (e.isNotFound() ? "no such file" : e.reason())
          + "; allowed a regular file with one exclude pattern per line");
    }
    if (!st.isRegular()) {
      String what = st.isFifo() ? "a FIFO (named pipe)" : st.isDirectory() ? "a folder"
          : st.isCharDevice() || st.isBlockDevice() ? "a device" : st.isSocket() ? "a socket" : "not a regular file";
      throw new UsageException(bad + "is " + what + "; allowed a regular file with one exclude pattern per line");
    }
    if (st.size() > MAX_BYTES) {
      throw new UsageException(bad + st.size() + " bytes; allowed a file of at most 16 MiB, one pattern per line");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException(bad + "cannot be read (" + Main.describe(e) + ")");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      try {
        ExcludePattern.parse("exclude", lines.get(i));
      } catch (InvalidSpecException e) {
        throw new UsageException(bad + "line " + (i + 1) + " '" + lines.get(i) + "': allowed " + ExcludePattern.ALLOWED);
      }
      out.add(lines.get(i));
    }
    return out;
  }
}
