package dev.smc.examples.cli;

import dev.smc.CycleReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What {@code migrate} prints after a cycle, and its exit code: the report on stdout (text or
 * JSON), warnings on stderr, 0 for a clean image, 3 when files in it are incomplete, 4 when the
 * post-snapshot hook failed after the image was made. Stateless.
 */
final class CycleOutput {
  private CycleOutput() {}

  static int print(Cli cli, String command, CycleReport r, boolean json, @Nullable String hookFailure) {
    if (json) {
      Map<String, Object> m = report(r);
      m.put("postSnapshotError", hookFailure);
      cli.out().println(Json.of(m));
    } else {
      cli.out().println(summary(r));
      cli.out().println(sent(r));
    }
    cli.out().flush();
    r.warnings().forEach(w -> cli.err().println("warning: " + w));
    if (hookFailure != null) {
      cli.err().println("smc " + command + ": error: " + hookFailure + " (the image is kept and restores; see to"
          + " what the hook should have undone)");
      return ExitCode.HOOK_FAILED;
    }
    if (incomplete(r)) {
      cli.err().println("smc " + command + ": image " + r.image() + " was made, but some files in it are"
          + " incomplete (the warnings above name them); exit 3");
      return ExitCode.INCOMPLETE;
    }
    return ExitCode.OK;
  }

  /** Whether some file in the image is not what the source held (changed while read, unreadable). */
  static boolean incomplete(CycleReport r) {
    return r.incomplete();
  }

  private static String summary(CycleReport r) {
    String type = r.type().name().toLowerCase(Locale.ROOT);
    Map<String, Long> d = r.details();
    if (!d.containsKey("blocksScanned")) {
      return String.format(Locale.ROOT, "%s: %s cycle, %d files, %s scanned, %s read, %s stored (%d new chunks,"
              + " %d reused, %d files unchanged) in %s", r.image(), type, r.filesScanned(), Fmt.size(r.bytesScanned()),
          Fmt.size(r.bytesRead()), Fmt.size(r.bytesStored()), r.chunksNew(), r.chunksReused(), r.filesReused(),
          Fmt.seconds(r.elapsed()));
    }
    long leftOut = d.getOrDefault("blocksLeftOut", 0L);
    return String.format(Locale.ROOT, "%s: %s cycle, %s disk, %s read, %s stored; blocks: %d scanned, %d skipped as"
            + " free,%s %d holes, %d zero, %d unchanged, %d stored, %d deduplicated in %s", r.image(), type,
        Fmt.size(r.bytesScanned()), Fmt.size(r.bytesRead()), Fmt.size(r.bytesStored()), d.get("blocksScanned"),
        d.get("blocksFree"), leftOut > 0 ? " " + leftOut + " left out (partitions not selected)," : "",
        d.get("blocksHoles"), d.get("blocksZero"), d.get("blocksUnchanged"), d.get("blocksStored"),
        d.get("blocksDeduplicated"), Fmt.seconds(r.elapsed()));
  }

  /**
   * What a cycle sent to the repository and how fast: {@code sent 16.0 MiB in 8.02 s (2.0 MiB/s)}. What
   * was sent is what the cycle stored (after dedup and compression); the rate is over the whole cycle,
   * scanning included, so under {@code --bwlimit} it is at most about the limit.
   */
  static String sent(CycleReport r) {
    return "sent " + Fmt.size(r.bytesStored()) + " in " + Fmt.seconds(r.elapsed()) + " (" + Fmt.rate(rate(r)) + ")";
  }

  /** Bytes stored per second of the whole cycle; 0 for a cycle that took no time. */
  static double rate(CycleReport r) {
    long nanos = r.elapsed().toNanos();
    return nanos <= 0 ? 0 : r.bytesStored() / (nanos / 1e9);
  }

  static Map<String, Object> report(CycleReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cycle", r.image().cycle());
    m.put("image", r.image().toString());
    m.put("type", r.type().name());
    m.put("filesScanned", r.filesScanned());
    m.put("bytesScanned", r.bytesScanned());
    m.put("bytesRead", r.bytesRead());
    m.put("bytesStored", r.bytesStored());
    m.put("chunksNew", r.chunksNew());
    m.put("chunksReused", r.chunksReused());
    m.put("filesReused", r.filesReused());
    m.put("bytesSent", r.bytesStored());
    m.put("seconds", Math.round(r.elapsed().toNanos() / 1e6) / 1e3);
    m.put("rateKBps", Math.round(rate(r) / 1024));
    m.put("incomplete", incomplete(r));
    m.putAll(r.details());
    List<Object> w = new ArrayList<>();
    r.warnings().forEach(x -> w.add(Map.of("path", x.path(), "reason", x.reason(), "incomplete", x.incomplete())));
    m.put("warnings", w);
    return m;
  }
}
