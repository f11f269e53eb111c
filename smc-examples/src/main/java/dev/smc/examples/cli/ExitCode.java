package dev.smc.examples.cli;

/** The exit codes of {@code smc}. */
final class ExitCode {
  /** Done: the image was made, the restore finished, ... */
  static final int OK = 0;
  /** Failed: nothing was made (or the command says what is left). */
  static final int FAILED = 1;
  /** Bad input: one line naming the option, the value and what is allowed; nothing was done. */
  static final int USAGE = 2;
  /** The image was made, but the post-snapshot hook failed after it. */
  static final int HOOK_FAILED = 4;

  private ExitCode() {}
}
