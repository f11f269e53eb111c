package dev.smc.examples.cli;

/** Bad command-line input (exit 2); the message starts with the command and names the option. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
