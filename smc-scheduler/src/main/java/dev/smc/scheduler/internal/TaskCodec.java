package dev.smc.scheduler.internal;

import dev.smc.BusinessStep;
import dev.smc.ImageRef;
import dev.smc.NetworkMode;
import dev.smc.Progress;
import dev.smc.RunMode;
import dev.smc.SnapshotCommands;
import dev.smc.SyncPolicy;
import dev.smc.Tag;
import dev.smc.TargetDisks;
import dev.smc.TargetType;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.TransferOptions;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.RunType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The task file: UTF-8 lines {@code key=value} (backslash, newline and carriage return escaped),
 * a {@code format=smc-task 1} line first and an {@code end=} line last, so a reader knows the file
 * is whole. Also the log line format: {@code time<TAB>event<TAB>cause}, same escaping plus tab.
 */
public final class TaskCodec {
  static final String FORMAT = "smc-task 1";

  private TaskCodec() {}

  public static byte[] encode(MigrationTask t) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("id", t.id().value());
    TaskSpec s = t.spec();
    m.put("spec.name", s.name());
    m.put("spec.description", s.description());
    m.put("spec.source", s.source());
    m.put("spec.imageName", s.imageName());
    list(m, "spec.exclude", s.excludes(), x -> x);
    s.syncPolicy().ifPresent(p -> {
      m.put("spec.interval", p.interval().toString());
      m.put("spec.maxImages", Integer.toString(p.maxImages()));
    });
    m.put("spec.runMode", s.runMode().toString());
    m.put("spec.validity", s.validity().toString());
    for (int i = 0; i < s.tags().size(); i++) {
      m.put("spec.tag." + i + ".key", s.tags().get(i).key());
      m.put("spec.tag." + i + ".value", s.tags().get(i).value());
    }
    m.put("spec.transfer.bandwidthLimitKBps", Long.toString(s.transfer().bandwidthLimitKBps()));
    m.put("spec.transfer.compressionLevel", Integer.toString(s.transfer().compressionLevel()));
    m.put("spec.transfer.checksum", Boolean.toString(s.transfer().checksum()));
    s.clientToken().ifPresent(x -> m.put("spec.clientToken", x));
    s.snapshotCommands().preSnapshot().ifPresent(x -> m.put("spec.preSnapshot", x));
    s.snapshotCommands().postSnapshot().ifPresent(x -> m.put("spec.postSnapshot", x));
    m.put("spec.targetType", s.targetType().name());
    s.targetDisks().ifPresent(d -> {
      m.put("spec.targetDisks.system", Integer.toString(d.systemDiskGiB()));
      for (int i = 0; i < d.dataDisks().size(); i++) {
        m.put("spec.targetDisks.data." + i + ".index", Integer.toString(d.dataDisks().get(i).index()));
        m.put("spec.targetDisks.data." + i + ".sizeGiB", Long.toString(d.dataDisks().get(i).sizeGiB()));
      }
      for (int i = 0; i < d.partitions().size(); i++) {
        m.put("spec.targetDisks.partition." + i, d.partitions().get(i).id() + "=" + d.partitions().get(i).sizeGiB());
      }
      if (!d.blockLevel().isEmpty()) {
        m.put("spec.targetDisks.block", String.join(",", d.blockLevel()));
      }
    });
    if (s.network() instanceof NetworkMode.Private p) {
      m.put("spec.network.vpc", p.vpcId());
      m.put("spec.network.vSwitch", p.vSwitchId());
    }
    m.put("state", t.state().name());
    t.step().ifPresent(x -> m.put("step", x.name()));
    t.progress().ifPresent(p -> {
      m.put("progress.bytesScanned", Long.toString(p.bytesScanned()));
      m.put("progress.bytesTotal", Long.toString(p.bytesTotal()));
      m.put("progress.bytesRead", Long.toString(p.bytesRead()));
      m.put("progress.bytesSent", Long.toString(p.bytesSent()));
      m.put("progress.filesScanned", Long.toString(p.filesScanned()));
      m.put("progress.elapsed", p.elapsed().toString());
      m.put("progress.totalEstimated", Boolean.toString(p.totalEstimated()));
      m.put("progress.bytesStored", Long.toString(p.bytesStored()));
      m.put("progress.bytesPerSecond", Double.toString(p.bytesPerSecond()));
      m.put("progress.readBytesPerSecond", Double.toString(p.readBytesPerSecond()));
      m.put("progress.sentBytesPerSecond", Double.toString(p.sentBytesPerSecond()));
    });
    for (int i = 0; i < t.cycles().size(); i++) {
      CycleRecord c = t.cycles().get(i);
      String k = "cycle." + i + ".";
      m.put(k + "number", Integer.toString(c.number()));
      m.put(k + "type", c.type().name());
      m.put(k + "start", c.start().toString());
      c.end().ifPresent(x -> m.put(k + "end", x.toString()));
      c.image().ifPresent(x -> m.put(k + "image", x.toString()));
      m.put(k + "bytesScanned", Long.toString(c.bytesScanned()));
      m.put(k + "bytesSent", Long.toString(c.bytesSent()));
      m.put(k + "outcome", c.outcome().name());
      c.error().ifPresent(x -> m.put(k + "error", x));
      m.put(k + "attempts", Integer.toString(c.attempts()));
    }
    t.nextRun().ifPresent(x -> m.put("nextRun", x.toString()));
    m.put("created", t.created().toString());
    m.put("expires", t.expires().toString());
    t.deleteAt().ifPresent(x -> m.put("deleteAt", x.toString()));
    list(m, "pinned", t.pinned(), ImageRef::toString);
    t.transit().ifPresent(x -> m.put("transit", x));
    t.owner().ifPresent(o -> {
      m.put("owner.pid", Long.toString(o.pid()));
      m.put("owner.instance", o.instance());
      m.put("owner.heartbeat", o.heartbeat().toString());
    });
    m.put("cutover", Boolean.toString(t.cutover()));
    t.error().ifPresent(x -> m.put("error", x));
    m.put("end", "");
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(k).append('=').append(escape(v, false)).append('\n'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static <T> void list(Map<String, String> m, String key, List<T> items, Function<T, String> f) {
    for (int i = 0; i < items.size(); i++) {
      m.put(key + "." + i, f.apply(items.get(i)));
    }
  }

  /** Decodes a task file; throws IOException naming {@code where} if it is not a whole task file. */
  public static MigrationTask decode(byte[] content, String where) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw new IOException(where + ": not a task file line: " + line);
      }
      m.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
    }
    if (!FORMAT.equals(m.get("format")) || !m.containsKey("end")) {
      throw new IOException(where + ": not a whole '" + FORMAT + "' file");
    }
    try {
      return decode(m);
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }

  private static MigrationTask decode(Map<String, String> m) {
    Optional<SyncPolicy> policy = Optional.ofNullable(m.get("spec.interval"))
        .map(i -> new SyncPolicy(Duration.parse(i), Integer.parseInt(m.get("spec.maxImages"))));
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; m.containsKey("spec.tag." + i + ".key"); i++) {
      tags.add(new Tag(m.get("spec.tag." + i + ".key"), m.get("spec.tag." + i + ".value")));
    }
    Optional<TargetDisks> disks = Optional.empty();
    if (m.containsKey("spec.targetDisks.system")) {
      List<TargetDisks.DataDisk> data = new ArrayList<>();
      for (int i = 0; m.containsKey("spec.targetDisks.data." + i + ".index"); i++) {
        data.add(new TargetDisks.DataDisk(Integer.parseInt(m.get("spec.targetDisks.data." + i + ".index")),
            Long.parseLong(m.get("spec.targetDisks.data." + i + ".sizeGiB"))));
      }
      List<TargetDisks.PartitionSize> parts = new ArrayList<>();
      for (int i = 0; m.containsKey("spec.targetDisks.partition." + i); i++) {
        String[] v = m.get("spec.targetDisks.partition." + i).split("[_=]");
        parts.add(new TargetDisks.PartitionSize(Integer.parseInt(v[0]), Integer.parseInt(v[1]), Long.parseLong(v[2])));
      }
      String block = m.getOrDefault("spec.targetDisks.block", "");
      disks = Optional.of(new TargetDisks(Integer.parseInt(m.get("spec.targetDisks.system")), data, parts,
          block.isEmpty() ? List.of() : List.of(block.split(","))));
    }
    NetworkMode network = m.containsKey("spec.network.vpc")
        ? NetworkMode.privateNetwork(m.get("spec.network.vpc"), m.get("spec.network.vSwitch"))
        : NetworkMode.publicNetwork();
    TaskSpec spec = new TaskSpec(m.get("spec.name"), m.get("spec.description"), m.get("spec.source"),
        m.get("spec.imageName"), strings(m, "spec.exclude"), policy, runMode(m.get("spec.runMode")),
        Duration.parse(m.get("spec.validity")), tags,
        new TransferOptions(Long.parseLong(m.get("spec.transfer.bandwidthLimitKBps")),
            Integer.parseInt(m.get("spec.transfer.compressionLevel")),
            Boolean.parseBoolean(m.get("spec.transfer.checksum"))),
        Optional.ofNullable(m.get("spec.clientToken")), TargetType.valueOf(m.get("spec.targetType")), disks, network,
        new SnapshotCommands(Optional.ofNullable(m.get("spec.preSnapshot")), Optional.ofNullable(m.get("spec.postSnapshot"))));
    // stores written before the estimate and the rates were kept read as exact totals with no rates
    Optional<Progress> progress = Optional.ofNullable(m.get("progress.bytesScanned")).map(x -> {
      long sent = Long.parseLong(m.get("progress.bytesSent"));
      return new Progress(Long.parseLong(x), Long.parseLong(m.get("progress.bytesTotal")),
          Boolean.parseBoolean(m.get("progress.totalEstimated")), Long.parseLong(m.get("progress.bytesRead")),
          Long.parseLong(m.getOrDefault("progress.bytesStored", Long.toString(sent))), sent,
          Long.parseLong(m.get("progress.filesScanned")), rate(m, "bytesPerSecond"), rate(m, "readBytesPerSecond"),
          rate(m, "sentBytesPerSecond"), Duration.parse(m.get("progress.elapsed")));
    });
    List<CycleRecord> cycles = new ArrayList<>();
    for (int i = 0; m.containsKey("cycle." + i + ".number"); i++) {
      String k = "cycle." + i + ".";
      cycles.add(new CycleRecord(Integer.parseInt(m.get(k + "number")), RunType.valueOf(m.get(k + "type")),
          Instant.parse(m.get(k + "start")), instant(m.get(k + "end")),
          Optional.ofNullable(m.get(k + "image")).map(x -> ImageRef.parse("image", x)),
          Long.parseLong(m.get(k + "bytesScanned")), Long.parseLong(m.get(k + "bytesSent")),
          CycleRecord.Outcome.valueOf(m.get(k + "outcome")), Optional.ofNullable(m.get(k + "error")),
          Integer.parseInt(m.get(k + "attempts"))));
    }
    Optional<MigrationTask.Owner> owner = Optional.ofNullable(m.get("owner.pid")).map(p -> new MigrationTask.Owner(
        Long.parseLong(p), m.get("owner.instance"), Instant.parse(m.get("owner.heartbeat"))));
    return new MigrationTask(new TaskId(m.get("id")), spec, TaskState.valueOf(m.get("state")),
        Optional.ofNullable(m.get("step")).map(BusinessStep::valueOf), progress, cycles, instant(m.get("nextRun")),
        Instant.parse(m.get("created")), Instant.parse(m.get("expires")), instant(m.get("deleteAt")),
        strings(m, "pinned").stream().map(x -> ImageRef.parse("pinned", x)).toList(),
        Optional.ofNullable(m.get("transit")), owner, Boolean.parseBoolean(m.get("cutover")),
        Optional.ofNullable(m.get("error")));
  }

  private static RunMode runMode(String text) {
    if (text.startsWith("at:")) {
      return RunMode.at(Instant.parse(text.substring(3)));
    }
    return switch (text) {
      case "now" -> RunMode.now();
      case "create-only" -> RunMode.createOnly();
      default -> throw new IllegalArgumentException("run mode '" + text + "'");
    };
  }

  private static Optional<Instant> instant(String text) {
    return Optional.ofNullable(text).map(Instant::parse);
  }

  private static List<String> strings(Map<String, String> m, String key) {
    List<String> out = new ArrayList<>();
    for (int i = 0; m.containsKey(key + "." + i); i++) {
      out.add(m.get(key + "." + i));
    }
    return out;
  }

  public static String logLine(LogEntry e) {
    return e.time() + "\t" + escape(e.event(), true) + "\t" + escape(e.cause(), true);
  }

  /** Parses a log line, or empty for a line cut by a crash or not in the format. */
  public static Optional<LogEntry> parseLogLine(String line) {
    String[] p = line.split("\t", -1);
    if (p.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new LogEntry(Instant.parse(p[0]), unescape(p[1]), unescape(p[2])));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static String escape(String v, boolean tab) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append(tab ? "\\t" : "\t");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String unescape(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        b.append(switch (n) {
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          default -> n;
        });
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static double rate(Map<String, String> m, String name) {
    String v = m.get("progress." + name);
    return v == null ? 0 : Double.parseDouble(v);
  }
}
