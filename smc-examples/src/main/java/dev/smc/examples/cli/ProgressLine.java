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
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A cycle's progress as one line on stderr, when stderr is a terminal (whatever stdout is): percent,
 * bytes looked at of the total, what is read and sent and how fast, ETA. Cut to the terminal's width
 * so it never wraps, redrawn at most four times a second, erased when the cycle ends. Not
 * thread-safe beyond what the engines do (one listener call at a time).
 */
final class ProgressLine implements MigrationListener {
  private static final long EVERY_NANOS = 250_000_000L;
  private final PrintStream err;
  private final int width;
  private long lastDrawn;
  private boolean printed;

  private ProgressLine(PrintStream err, int width) {
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
    String line = text(p);
    if (line.length() > width - 1) {
      line = line.substring(0, width - 1);
    }
    err.print("\r" + line + "\033[K");
    err.flush();
    printed = true;
  }

  /** What the line says: {@code 42.0% 1.2 GiB of 2.9 GiB, 1234 files, read 35.0 MiB/s, sent ..., ETA 1m23s}. */
  static String text(Progress p) {
    StringBuilder sb = new StringBuilder();
    if (p.percent() >= 0) {
      sb.append(String.format(Locale.ROOT, "%5.1f%% ", p.percent()));
    }
    sb.append(Fmt.size(p.bytesScanned()));
    if (p.bytesTotal() >= 0) {
      sb.append(" of ").append(Fmt.size(p.bytesTotal()));
    }
    sb.append(", ").append(p.filesScanned()).append(" files, read ").append(Fmt.size(p.bytesRead()))
        .append(", sent ").append(Fmt.size(p.bytesSent())).append(", ").append(Fmt.rate(p.bytesPerSecond()));
    p.eta().ifPresent(d -> sb.append(", ETA ").append(Fmt.duration(d)));
    return sb.toString();
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
