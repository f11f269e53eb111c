package dev.smc.examples.cli;

import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What every command of one {@code smc} run shares: its output streams, environment and clock. The
 * environment is passed in (not read from {@link System#getenv()} by the commands), so tests give
 * their own. Immutable.
 */
record Cli(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {

  /** {@code name}'s value in the environment, or null when unset or empty. */
  @Nullable
  String env(String name) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** Where the CLI keeps caches: $SMC_CACHE_DIR, else $XDG_CACHE_HOME/smc, else ~/.cache/smc. */
  Path cacheDir() {
    String dir = env("SMC_CACHE_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String xdg = env("XDG_CACHE_HOME");
    return xdg != null && !xdg.isBlank() ? Path.of(xdg, "smc") : Path.of(System.getProperty("user.home"), ".cache", "smc");
  }

  /** A failure as one line: the message, what kind of file problem it is, and its cause's message. */
  static String describe(Throwable e) {
    String msg = e.getMessage();
    if (e instanceof NoSuchFileException) {
      msg = "no such file or folder: " + msg;
    } else if (msg == null || msg.isBlank()) {
      msg = e.getClass().getSimpleName();
    }
    Throwable c = e.getCause();
    if (c != null && c.getMessage() != null && !msg.contains(c.getMessage())) {
      msg += " (" + c.getMessage() + ")";
    }
    return msg;
  }
}
