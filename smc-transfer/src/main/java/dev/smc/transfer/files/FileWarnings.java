package dev.smc.transfer.files;

import dev.smc.CycleWarning;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warnings of one file cycle: paths the image holds other than the source had them, and notes
 * that leave the image whole. {@link #warn} and {@link #note} are thread-safe; the rest is called
 * on the cycle's thread while no file is being read.
 */
final class FileWarnings {
  /** Logged under the engine's name, as before the engine was split. */
  private static final Logger LOG = LoggerFactory.getLogger(FileMigration.class);

  private final List<CycleWarning> warnings = new ArrayList<>();

  /** The warnings so far, the list itself. */
  List<CycleWarning> list() {
    return warnings;
  }

  /** A warning about the whole cycle, not logged. */
  void add(CycleWarning warning) {
    warnings.add(warning);
  }

  /**
   * Warns of unchanged files read again because the parent's chunks of them were lost, and of
   * the damage the store found.
   */
  void storeDamage(long filesRecovered, Optional<ImageInfo> parentImage, ImageStore.ImageWriter writer) {
    if (filesRecovered > 0) {
      String of = parentImage.map(i -> i.ref().toString()).orElse("the parent image");
      warnings.add(new CycleWarning("/", filesRecovered + " unchanged file(s) were read again from the source:"
          + " chunks " + of + " names for them are no longer in the repository; this image is whole, but " + of
          + " and earlier images that share those chunks are damaged (smc check names them)"));
    }
    for (String d : writer.storeDamage()) {
      warnings.add(new CycleWarning("repository", d));
    }
  }

  /** A path the image holds other than the source had it (or leaves out for that reason). */
  void warn(byte[] path, String reason) {
    warn(path, reason, true);
  }

  private void warn(byte[] path, String reason, boolean incomplete) {
    String p = path.length == 0 ? "/" : PathBytes.printable(path);
    LOG.warn("{}: {}", p, reason);
    synchronized (warnings) {
      warnings.add(new CycleWarning(p, reason, incomplete));
    }
  }

  /** Something to know that leaves the image whole (what smc leaves out by design). */
  void note(byte[] path, String reason) {
    warn(path, reason, false);
  }
}
