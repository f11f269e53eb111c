package dev.smc;

/**
 * Something a cycle could not copy exactly, or that its owner should know.
 *
 * @param incomplete whether the image holds this path other than the source had it: a file changed
 *     while read (as many times as the engine retries), vanished, could not be read, or was left out
 *     for such a reason. The CLI exits 3 when any warning is. False for notes about the repository
 *     (damage found and repaired: the image is whole) or about what smc leaves out by design.
 */
public record CycleWarning(String path, String reason, boolean incomplete) {
  /** A note: the image is whole. */
  public CycleWarning(String path, String reason) {
    this(path, reason, false);
  }

  /** A path the image does not hold exactly as the source had it. */
  public static CycleWarning ofIncomplete(String path, String reason) {
    return new CycleWarning(path, reason, true);
  }

  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
