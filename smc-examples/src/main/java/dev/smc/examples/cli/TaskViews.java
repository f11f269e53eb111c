package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.Progress;
import dev.smc.SyncPolicy;
import dev.smc.TaskOptionText;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** How {@code smc task} prints tasks: as text tables and as {@code --json} maps. Stateless. */
final class TaskViews {
  private TaskViews() {}

  /** One line per task for {@code task list --json}. */
  static Map<String, Object> summary(MigrationTask t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("id", t.id().value());
    m.put("state", t.state().name());
    m.put("step", t.step().map(Enum::name).orElse(null));
    m.put("source", t.spec().source());
    m.put("imageName", t.spec().imageName());
    m.put("incremental", t.spec().incremental());
    m.put("cycles", t.cycles().size());
    m.put("lastImage", lastImage(t).map(ImageRef::toString).orElse(null));
    m.put("nextRun", t.nextRun().map(Object::toString).orElse(null));
    m.put("error", t.error().orElse(null));
    return m;
  }

  /** Everything about one task for {@code task show --json}: spec, state, progress, cycles and images. */
  static Map<String, Object> detail(MigrationTask t, List<ImageInfo> images) {
    Map<String, Object> m = summary(t);
    m.put("description", t.spec().description());
    m.put("runMode", t.spec().runMode().toString());
    m.put("interval", t.spec().syncPolicy().map(p -> TaskOptionText.formatInterval(p.interval())).orElse(null));
    m.put("maxImages", t.spec().syncPolicy().map(SyncPolicy::maxImages).orElse(null));
    m.put("excludes", List.copyOf(t.spec().excludes()));
    t.spec().snapshotCommands().preSnapshot().ifPresent(c -> m.put("preSnapshot", c));
    t.spec().snapshotCommands().postSnapshot().ifPresent(c -> m.put("postSnapshot", c));
    List<Object> tags = new ArrayList<>();
    t.spec().tags().forEach(g -> tags.add(Map.of("key", g.key(), "value", g.value())));
    m.put("tags", tags);
    m.put("bwlimitKBps", t.spec().transfer().bandwidthLimitKBps());
    m.put("compress", t.spec().transfer().compressionLevel());
    m.put("checksum", t.spec().transfer().checksum());
    m.put("created", t.created().toString());
    m.put("expires", t.expires().toString());
    m.put("deleteAt", t.deleteAt().map(Object::toString).orElse(null));
    m.put("transit", t.transit().orElse(null));
    m.put("progress", t.progress().map(TaskViews::progress).orElse(null));
    List<Object> cycles = new ArrayList<>();
    t.cycles().forEach(c -> cycles.add(cycle(c)));
    m.put("cycleRecords", cycles);
    List<Object> imgs = new ArrayList<>();
    for (ImageInfo i : images) {
      Map<String, Object> im = new LinkedHashMap<>();
      im.put("image", i.ref().toString());
      im.put("cycle", i.ref().cycle());
      im.put("created", i.created().toString());
      im.put("files", i.kind() == ImageKind.BLOCKS ? null : i.longProperty("files")); // a disk has no files
      im.put("bytes", i.longProperty("bytes"));
      im.put("pinned", i.pinned());
      imgs.add(im);
    }
    m.put("images", imgs);
    return m;
  }

  private static Map<String, Object> progress(Progress p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("percent", Math.round(p.percent() * 10) / 10.0);
    m.put("bytesScanned", p.bytesScanned());
    m.put("bytesTotal", p.bytesTotal());
    m.put("totalEstimated", p.totalEstimated());
    m.put("bytesRead", p.bytesRead());
    m.put("bytesSent", p.bytesSent());
    m.put("filesScanned", p.filesScanned());
    return m;
  }

  private static Map<String, Object> cycle(CycleRecord c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("number", c.number());
    m.put("type", c.type().name());
    m.put("start", c.start().toString());
    m.put("end", c.end().map(Object::toString).orElse(null));
    m.put("image", c.image().map(ImageRef::toString).orElse(null));
    m.put("bytesScanned", c.bytesScanned());
    m.put("bytesSent", c.bytesSent());
    m.put("outcome", c.outcome().name());
    m.put("error", c.error().orElse(null));
    m.put("attempts", c.attempts());
    return m;
  }

  static void printList(PrintStream out, List<MigrationTask> tasks) {
    int name = Math.max(12, tasks.stream().mapToInt(t -> t.name().length()).max().orElse(0));
    int image = Math.max(12, tasks.stream().mapToInt(t -> lastImage(t).map(i -> i.toString().length()).orElse(1))
        .max().orElse(0));
    String row = "%-" + name + "s %-9s %-11s %6s  %-" + image + "s %s%n";
    out.printf(Locale.ROOT, row, "NAME", "STATE", "STEP", "CYCLES", "LAST IMAGE", "NEXT RUN (UTC)");
    for (MigrationTask t : tasks) {
      out.printf(Locale.ROOT, row, t.name(), t.state(), t.step().map(Enum::name).orElse("-"), t.cycles().size(),
          lastImage(t).map(ImageRef::toString).orElse("-"), Fmt.time(t.nextRun().orElse(null)));
    }
  }

  static void printDetail(PrintStream out, MigrationTask t, List<ImageInfo> images) {
    out.printf(Locale.ROOT, "task %s (%s): %s%s%s%n", t.name(), t.id(), t.state(),
        t.step().map(s -> ", business step " + s).orElse(""), t.error().map(e -> ", error: " + e).orElse(""));
    out.printf(Locale.ROOT, "  source %s -> image %s-CYCLE_<n>; %s; run mode %s%n", t.spec().source(),
        t.spec().imageName(), t.spec().syncPolicy().map(p -> "incremental every " + TaskOptionText.formatInterval(p.interval())
            + ", max images " + p.maxImages()).orElse("one-time"), t.spec().runMode());
    out.printf(Locale.ROOT, "  created %s, expires %s%s%s%n", Fmt.time(t.created()), Fmt.time(t.expires()),
        t.nextRun().map(n -> ", next run " + Fmt.time(n)).orElse(""), t.transit().map(i -> ", transit instance " + i).orElse(""));
    t.spec().snapshotCommands().preSnapshot().ifPresent(c -> out.printf(Locale.ROOT, "  pre-snapshot: %s%n", c));
    t.spec().snapshotCommands().postSnapshot().ifPresent(c -> out.printf(Locale.ROOT, "  post-snapshot: %s%n", c));
    t.progress().ifPresent(p -> out.printf(Locale.ROOT, "  progress %s: %s of %s scanned, %s sent%n",
        p.percent() < 0 ? "?" : String.format(Locale.ROOT, "%.1f%%", p.percent()), Fmt.size(p.bytesScanned()),
        p.bytesTotal() < 0 ? "?" : Fmt.size(p.bytesTotal()), Fmt.size(p.bytesSent())));
    if (!t.cycles().isEmpty()) {
      String row = "  %5s %-8s %-20s %-20s %-9s %10s %10s  %s%n";
      out.printf(Locale.ROOT, row, "CYCLE", "TYPE", "START", "END", "OUTCOME", "SCANNED", "SENT", "IMAGE / ERROR");
      for (CycleRecord c : t.cycles()) {
        out.printf(Locale.ROOT, row, c.number(), c.type(), Fmt.time(c.start()), Fmt.time(c.end().orElse(null)),
            c.outcome(), Fmt.size(c.bytesScanned()), Fmt.size(c.bytesSent()),
            c.image().map(ImageRef::toString).orElse(c.error().orElse("-")));
      }
    }
    out.println(images.isEmpty() ? "  no images" : "  images:");
    for (ImageInfo i : images) {
      out.printf(Locale.ROOT, "    %-32s %-20s %10s%s%n", i.ref(), Fmt.time(i.created()), Fmt.size(i.longProperty("bytes")),
          i.pinned() ? " pinned" : "");
    }
  }

  /** One line after a cycle ran in the foreground. */
  static String cycleLine(MigrationTask t) {
    Optional<CycleRecord> last = t.lastCycle();
    if (last.isEmpty()) {
      return "task " + t.name() + ": " + t.state();
    }
    CycleRecord c = last.get();
    String took = c.end().map(e -> String.format(Locale.ROOT, " in %.1f s",
        java.time.Duration.between(c.start(), e).toMillis() / 1e3)).orElse("");
    return String.format(Locale.ROOT, "task %s: cycle %d %s%s: %s scanned, %s sent%s; now %s%s", t.name(),
        c.number(), c.outcome().name().toLowerCase(Locale.ROOT), c.image().map(i -> " (image " + i + ")").orElse(""),
        Fmt.size(c.bytesScanned()), Fmt.size(c.bytesSent()), took, t.state(),
        t.nextRun().map(n -> ", next sync " + Fmt.time(n)).orElse(""));
  }

  private static Optional<ImageRef> lastImage(MigrationTask t) {
    for (int i = t.cycles().size() - 1; i >= 0; i--) {
      if (t.cycles().get(i).image().isPresent()) {
        return t.cycles().get(i).image();
      }
    }
    return Optional.empty();
  }
}
