package dev.smc.examples.cli;

import dev.smc.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import javax.annotation.Nullable;

/** How the CLI's text output writes sizes, rates, durations and times. Stateless. */
final class Fmt {
  private Fmt() {}

  /** See {@link Units#bytes}. */
  static String size(long bytes) {
    return Units.bytes(bytes);
  }

  /** See {@link Units#rate}. */
  static String rate(double bytesPerSecond) {
    return Units.rate(bytesPerSecond);
  }

  /** See {@link Units#duration}. */
  static String duration(Duration d) {
    return Units.duration(d);
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
