package dev.smc;

import javax.annotation.Nullable;

/**
 * The one unchecked root of smc's errors. {@link #code()} is stable; the message names what
 * failed (task, cycle, object, byte range) and why. Immutable and thread-safe.
 */
public class SmcException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public SmcException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public SmcException(ErrorCode code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** Whether repeating the same call may succeed. */
  public boolean isRetryable() {
    return code.retryable();
  }
}
