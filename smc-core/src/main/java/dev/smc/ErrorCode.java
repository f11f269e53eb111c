package dev.smc;

/**
 * Stable error codes an embedding program can switch on. Codes are never renumbered or reused;
 * {@link #retryable()} says whether repeating the same call may succeed.
 */
public enum ErrorCode {
  /** A spec, option or argument is out of its allowed range. */
  INVALID_SPEC(false),
  /** The action is not allowed in the task's current state. */
  INVALID_STATE(false),
  /** A task, image or object does not exist. */
  NOT_FOUND(false),
  /** Something with that name or token exists already. */
  ALREADY_EXISTS(false),
  /** Stored data does not match its hash or structure; never retried silently. */
  INTEGRITY(false),
  /** Credentials missing or refused. */
  UNAUTHORIZED(false),
  /** A quota or size limit was reached (for example a full disk). */
  QUOTA(false),
  /** The repository is locked by another process (for example garbage collection). */
  LOCKED(true),
  /** The source could not be read. */
  SOURCE_IO(true),
  /** The repository or its backend could not be read or written. */
  STORE_IO(true),
  /** The operation was cancelled or the task was paused. */
  CANCELLED(false),
  /** A bug or an unexpected condition. */
  INTERNAL(false),
  /**
   * A snapshot hook (a command run before or after the read) failed. After a post-snapshot hook
   * the cycle's image may have been committed: see {@link PostSnapshotException}.
   */
  HOOK_FAILED(false);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether repeating the same call may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
