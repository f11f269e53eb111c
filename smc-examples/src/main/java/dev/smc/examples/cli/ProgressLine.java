package dev.smc.examples.cli;

import dev.smc.CycleReport;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A cycle's progress as one line on stderr, when stderr is a terminal (whatever stdout is): percent
 * ('~' while the total is an estimate), bytes done of the total, what is read and sent and how fast
 * now, ETA as {@code 1m23s}. Fitted to the terminal's width so it never wraps (less detail first, then
 * cut), redrawn at most four times a second, erased when the cycle ends. Not thread-safe beyond what
 * the engines do (one listener call at a time).
 */
final class ProgressLine implements MigrationListener {
  private static final long EVERY_NANOS = 250_000_000L;
  /** The most detail {@link #text(Progress, int)} gives. */
  private static final int FULL = 5;
  private final PrintStream err;
  private final int width;
  private long lastDrawn;
  private boolean printed;

  /** A line of {@code width} columns on {@code err}; 0 columns: no line at all. */
  ProgressLine(PrintStream err, int width) {
    this.err = err;
    this.width = width;
  }

  /** A progress line for {@code cli}'s stderr, or a listener that does nothing when it is not a terminal. */
  static ProgressLine forStderr(Cli cli) {
    int w = cli.err() == System.err && stderrIsTerminal() ? width(cli) : 0;
    return new ProgressLine(cli.err(), w);
  }

  @Override
  public void progress(TaskId task, Progress p) {
    if (width <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (printed && now - lastDrawn < EVERY_NANOS) {
      return;
    }
    lastDrawn = now;
    err.print("\r" + text(p, width) + "\033[K");
    err.flush();
    printed = true;
  }

  /**
   * What the line says in {@code width} columns, at most {@code width - 1} characters (a line that fills the last
   * column wraps on some terminals): {@code ~42.0% 1.2 GiB of ~2.9 GiB, 1234 files, read 1.1 GiB at 35.0 MiB/s,
   * sent 512.0 MiB at 4.0 MiB/s, ETA 1m23s}, '~' while the total is an estimate. Where that does not fit, the
   * files go first, then the amounts read and sent (their rates stay), then what was read, then what was sent.
   */
  static String text(Progress p, int width) {
    int max = Math.max(1, width - 1);
    String line = null;
    for (int detail = FULL; detail >= 0 && (line == null || line.length() > max); detail--) {
      line = withDetail(p, detail);
    }
    return line.length() > max ? line.substring(0, max) : line;
  }

  /** The line with {@code detail} from {@link #FULL} (all of it) down to 0 (the percent and ETA alone). */
  private static String withDetail(Progress p, int detail) {
    String est = p.totalEstimated() ? "~" : "";
    List<String> parts = new ArrayList<>();
    if (detail >= 1 || p.percent() < 0) {
      parts.add(Fmt.size(p.bytesScanned()) + (p.bytesTotal() >= 0 ? " of " + est + Fmt.size(p.bytesTotal()) : ""));
    }
    if (detail >= 5 && p.filesScanned() > 0) {
      parts.add(p.filesScanned() + " files");
    }
    if (detail >= 3) {
      parts.add("read " + (detail >= 4 ? Fmt.size(p.bytesRead()) + " at " : "") + Fmt.rate(p.readBytesPerSecond()));
    }
    if (detail >= 2 && (p.bytesSent() > 0 || p.bytesStored() > 0)) {
      parts.add("sent " + (detail >= 4 ? Fmt.size(p.bytesSent()) + " at " : "") + Fmt.rate(p.sentBytesPerSecond()));
    }
    p.eta().ifPresent(d -> parts.add("ETA " + Fmt.duration(d)));
    String pct = p.percent() >= 0 ? est + String.format(Locale.ROOT, "%.1f%%", p.percent()) : "";
    String rest = String.join(", ", parts);
    return pct.isEmpty() ? rest : rest.isEmpty() ? pct : pct + " " + rest;
  }

  @Override
  public void cycleFinished(TaskId task, int cycle, CycleReport report) {
    clear();
  }

  @Override
  public void cycleFailed(TaskId task, int cycle, SmcException cause) {
    clear();
  }

  /** Erases the line, if one was drawn. */
  void clear() {
    if (printed) {
      err.print("\r\033[K");
      err.flush();
      printed = false;
    }
  }

  /** Whether this process's stderr (fd 2) is a terminal. */
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  /** The terminal's columns: $COLUMNS, else what {@code stty size} says of it, else 80. */
  private static int width(Cli cli) {
    String columns = cli.env("COLUMNS");
    if (columns != null && columns.matches("\\d{1,4}") && Integer.parseInt(columns) > 0) {
      return Integer.parseInt(columns);
    }
    try {
      Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor(1, TimeUnit.SECONDS) && out.matches("\\d+ \\d+")) {
        int w = Integer.parseInt(out.split(" ")[1]);
        return w > 0 ? w : 80;
      }
    } catch (IOException e) {
      return 80;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }
}
