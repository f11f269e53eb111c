package dev.smc.transfer.source;

import dev.smc.spi.SnapshotHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot hooks that run shell commands ({@code sh -c}) before and after a cycle's read, for
 * example {@code fsfreeze -f /srv} and {@code fsfreeze -u /srv}, or an LVM snapshot and its removal.
 * A command that exits non-zero, or runs longer than its time limit, fails the hook with its exit
 * code and the end of its output. Immutable and thread-safe.
 */
public final class CommandHooks implements SnapshotHooks {
  private final Optional<String> before;
  private final Optional<String> after;
  private final long timeoutSeconds;

  public CommandHooks(Optional<String> before, Optional<String> after, long timeoutSeconds) {
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("timeoutSeconds " + timeoutSeconds + ": at least 1");
    }
    this.before = before;
    this.after = after;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** How long a task's snapshot command may run, as the CLI's {@code migrate} gives its own. */
  public static final long TIMEOUT_SECONDS = 600;

  /**
   * A task's {@code commands} around the source's own {@code inner} hooks: before the read, the
   * pre-snapshot command, then {@code inner}'s before; after it, {@code inner}'s after, then the
   * post-snapshot command, both run even when the first fails (which is then what is thrown).
   */
  public static SnapshotHooks around(dev.smc.SnapshotCommands commands, SnapshotHooks inner) {
    if (!commands.any()) {
      return inner;
    }
    CommandHooks task = new CommandHooks(commands.preSnapshot(), commands.postSnapshot(), TIMEOUT_SECONDS);
    return new SnapshotHooks() {
      @Override
      public void before() throws IOException {
        task.before();
        inner.before();
      }

      @Override
      public void after() throws IOException {
        try {
          inner.after();
        } catch (IOException | RuntimeException first) {
          try {
            task.after();
          } catch (IOException | RuntimeException second) {
            first.addSuppressed(second);
          }
          throw first;
        }
        task.after();
      }
    };
  }

  @Override
  public void before() throws IOException {
    if (before.isPresent()) {
      run("pre-snapshot", before.get());
    }
  }

  @Override
  public void after() throws IOException {
    if (after.isPresent()) {
      run("post-snapshot", after.get());
    }
  }

  private void run(String what, String command) throws IOException {
    java.nio.file.Path log = java.nio.file.Files.createTempFile("smc-hook-", ".out");
    byte[] out;
    try {
      Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      try {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException(what + " command '" + command + "' did not finish in " + timeoutSeconds + " s");
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException(what + " command '" + command + "' interrupted", e);
      }
      out = java.nio.file.Files.readAllBytes(log);
      check(what, command, p.exitValue(), out);
    } finally {
      java.nio.file.Files.deleteIfExists(log);
    }
  }

  private static void check(String what, String command, int exit, byte[] out) throws IOException {
    if (exit != 0) {
      String text = new String(out, StandardCharsets.UTF_8).strip();
      if (text.length() > 300) {
        text = "..." + text.substring(text.length() - 300);
      }
      throw new IOException(what + " command '" + command + "' exited " + exit
          + (text.isEmpty() ? "" : ": " + text));
    }
  }
}
