package dev.smc.examples.cli;

/** The exit codes of {@code smc}, as {@code smc --help} lists them. */
final class ExitCode {
  /** Done: the image was made, the restore finished, ... */
  static final int OK = 0;
  /** Failed: nothing was made (or the command says what is left). */
  static final int FAILED = 1;
  /** Bad input: one line naming the option, the value and what is allowed; nothing was done. */
  static final int USAGE = 2;
  /**
   * The image was made, but some files in it are incomplete (changed while read, unreadable); the
   * warnings on stderr name them. Restic uses 3 for the same.
   */
  static final int INCOMPLETE = 3;
  /** The image was made, but the post-snapshot hook failed after it. */
  static final int HOOK_FAILED = 4;

  static final String HELP = """
      Exit codes: 0 done; 1 failed; 2 bad input (one line naming the option, the value and what is allowed;
      nothing done); 3 the image was made but some files in it are incomplete (changed while read, unreadable;
      the warnings on stderr name them); 4 the image was made but the post-snapshot hook failed after it.""";

  private ExitCode() {}
}
