package dev.smc;

/**
 * A cycle whose image was made, after which the post-snapshot hook failed: the image
 * {@link #image()} is committed and restores like any other, but what the hook should have undone
 * (a frozen file system, a snapshot, a stopped service) may still be in place. Code
 * {@link ErrorCode#HOOK_FAILED}; the hook's error is the cause. Immutable.
 */
public final class PostSnapshotException extends SmcException {
  private static final long serialVersionUID = 1L;
  private final CycleReport report;

  public PostSnapshotException(CycleReport report, Throwable cause) {
    super(ErrorCode.HOOK_FAILED, "image " + report.image() + " was made, but the post-snapshot hook failed: "
        + cause.getMessage(), cause);
    this.report = report;
  }

  /** The committed image. */
  public ImageRef image() {
    return report.image();
  }

  /** What the cycle did, as it would have been returned without the hook's failure. */
  public CycleReport report() {
    return report;
  }
}
