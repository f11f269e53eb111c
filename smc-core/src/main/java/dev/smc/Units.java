package dev.smc;

import java.time.Duration;
import java.util.Locale;

/**
 * Sizes, rates and durations as people read them, for logs and reports: {@code 1.5 GiB},
 * {@code 12.3 MiB/s}, {@code 1m23s}. Binary units (KiB = 1024 bytes). Stateless.
 */
public final class Units {
  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Units() {}

  /** {@code 512 B}, {@code 1.5 KiB}, ... one decimal from KiB on. */
  public static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < UNITS.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, UNITS[i]);
  }

  /** {@code 12.3 MiB/s}; a negative rate is 0. */
  public static String rate(double bytesPerSecond) {
    return bytes(Math.round(Math.max(0, bytesPerSecond))) + "/s";
  }

  /** {@code 45s}, {@code 1m23s}, {@code 2h05m}, {@code 3d04h}: the two largest units, whole. */
  public static String duration(Duration d) {
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
}
