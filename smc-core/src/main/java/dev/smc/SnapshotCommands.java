package dev.smc;

import java.util.Optional;

/**
 * Shell commands a task runs around each cycle's read of its source ({@code sh -c}, as the CLI's
 * {@code migrate --pre-snapshot/--post-snapshot}): the pre-snapshot command before the first byte is
 * read (freeze a database, take an LVM snapshot; when it fails the cycle fails), the post-snapshot
 * command once the read ended (thaw, remove the snapshot; when it fails after the image was made, the
 * image is kept and the cycle is reported failed naming it). They run on the machine that runs the
 * cycle, with its user's rights. Immutable.
 *
 * @param preSnapshot the command run before the read, or empty
 * @param postSnapshot the command run after the read, or empty
 */
public record SnapshotCommands(Optional<String> preSnapshot, Optional<String> postSnapshot) {
  /** No commands. */
  public static final SnapshotCommands NONE = new SnapshotCommands(Optional.empty(), Optional.empty());
  /** The longest command accepted, in characters. */
  public static final int MAX_COMMAND = 4096;

  public SnapshotCommands {
    java.util.Objects.requireNonNull(preSnapshot, "preSnapshot");
    java.util.Objects.requireNonNull(postSnapshot, "postSnapshot");
  }

  /** Whether there is any command. */
  public boolean any() {
    return preSnapshot.isPresent() || postSnapshot.isPresent();
  }

  /** A command as an error quotes it: its first 80 characters. */
  static String shown(String command) {
    return command.length() <= 80 ? command : command.substring(0, 80) + "...";
  }

  /** Why {@code command} is not accepted, or empty. */
  static Optional<String> problem(Optional<String> command) {
    if (command.isEmpty()) {
      return Optional.empty();
    }
    String c = command.get();
    if (c.isBlank() || c.length() > MAX_COMMAND || c.indexOf('\0') >= 0) {
      return Optional.of("a shell command of 1-" + MAX_COMMAND + " characters, not blank, without NUL");
    }
    return Optional.empty();
  }
}
