package dev.smc.examples.cli;

import dev.smc.ExcludePattern;
import dev.smc.InvalidSpecException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
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
    int mode;
    long size;
    try {
      mode = (Integer) Files.getAttribute(Path.of(file), "unix:mode");
      size = Files.size(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UsageException(bad + "no such file; allowed a regular file with one exclude pattern per line");
    } catch (IOException | RuntimeException e) {
      throw new UsageException(bad + Cli.describe(e) + "; allowed a regular file with one exclude pattern per line");
    }
    int type = mode & 0170000;
    if (type != 0100000) {
      String what = type == 0010000 ? "a FIFO (named pipe)" : type == 0040000 ? "a folder"
          : type == 0020000 || type == 0060000 ? "a device" : type == 0140000 ? "a socket" : "not a regular file";
      throw new UsageException(bad + "is " + what + "; allowed a regular file with one exclude pattern per line");
    }
    if (size > MAX_BYTES) {
      throw new UsageException(bad + size + " bytes; allowed a file of at most 16 MiB, one pattern per line");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException(bad + "cannot be read (" + Cli.describe(e) + ")");
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
