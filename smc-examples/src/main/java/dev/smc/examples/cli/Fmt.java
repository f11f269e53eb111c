package dev.smc.examples.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import javax.annotation.Nullable;

/** How the CLI's text output writes sizes, rates, durations and times. Stateless. */
final class Fmt {
  private Fmt() {}

  /** {@code 512 B}, {@code 1.5 KiB}, ... {@code 2.0 TiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
  }

  /** {@code 12.3 MiB/s}. */
  static String rate(double bytesPerSecond) {
    return size(Math.round(Math.max(0, bytesPerSecond))) + "/s";
  }

  /** {@code 45s}, {@code 1m23s}, {@code 2h05m}, {@code 3d04h}. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s % 86400 / 3600);
  }

  /** Seconds, as the cycle reports give them: {@code 8.02 s}. */
  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
  }

  /** A time in a table: UTC to the second, {@code 2026-12-02T04:19:07Z}; "-" for none. */
  static String time(@Nullable Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
