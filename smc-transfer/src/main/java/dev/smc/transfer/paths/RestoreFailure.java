package dev.smc.transfer.paths;

import dev.smc.ErrorCode;
import dev.smc.IntegrityException;
import dev.smc.SmcException;
import dev.smc.transfer.internal.posix.PosixException;

/**
 * The errors of a restore that fails, worded the same by both restores: each names the file it was
 * about and keeps the code it deserves ({@code QUOTA} for a full disk, {@code INTEGRITY} for damaged
 * data), and the last one also says what the restore left behind. Stateless.
 */
public final class RestoreFailure {
  private RestoreFailure() {}

  /** The error of {@code doing} the file {@code path}: {@code "writing /t/var/db: no space left on device (ENOSPC)"}. */
  public static SmcException at(String doing, String path, Throwable cause) {
    String what = doing + " " + path + ": ";
    if (cause instanceof PosixException px) {
      return new SmcException(px.isNoSpace() ? ErrorCode.QUOTA : ErrorCode.STORE_IO, what + px.reason(), px);
    }
    if (cause instanceof IntegrityException ie) {
      return new IntegrityException(what + ie.getMessage(), ie);
    }
    if (cause instanceof SmcException se) {
      return new SmcException(se.code(), what + se.getMessage(), se);
    }
    return new SmcException(ErrorCode.STORE_IO, what + cause.getMessage(), cause);
  }

  /**
   * The error a failed restore ends with, {@code "restore of IMAGE into TARGET: <the error>;
   * <what was left>"}, with the error's code.
   */
  public static SmcException of(String restore, Throwable e, String left) {
    String msg = restore + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
        + "; " + left;
    if (e instanceof IntegrityException) {
      return new IntegrityException(msg, e);
    }
    ErrorCode code = e instanceof SmcException se ? se.code()
        : e instanceof PosixException px && px.isNoSpace() ? ErrorCode.QUOTA : ErrorCode.STORE_IO;
    return new SmcException(code, msg, e);
  }
}
