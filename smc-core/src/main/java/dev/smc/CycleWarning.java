package dev.smc;

/** Something a cycle could not copy exactly (unreadable file, file changed while read, ...). */
public record CycleWarning(String path, String reason) {
  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
