package dev.smc;

import javax.annotation.Nullable;

/** Stored data does not match its hash or its structure. Never retried silently. */
public class IntegrityException extends SmcException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    this(message, null);
  }

  public IntegrityException(String message, @Nullable Throwable cause) {
    super(ErrorCode.INTEGRITY, message, cause);
  }
}
