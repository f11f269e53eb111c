package dev.smc.examples.cli;

import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.RunMode;
import dev.smc.SyncPolicy;
import dev.smc.TaskSpec;
import dev.smc.TransferOptions;
import dev.smc.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Turns the options of {@code smc task create} and {@code smc task modify} into spec values,
 * collecting every bad field (unparseable text here, out-of-range values from
 * {@link TaskSpec.Builder#build()}) into one {@link InvalidSpecException}, so the user sees them all
 * at once. Not thread-safe; one instance per command.
 */
final class TaskOptions {
  /** The option that sets each spec field, to name it next to the field in an error. */
  private static final Map<String, String> OPTION = Map.ofEntries(
      Map.entry("name", "--name"), Map.entry("description", "--description"), Map.entry("source", "--source"),
      Map.entry("imageName", "--image-name"), Map.entry("validity", "--valid-days"),
      Map.entry("interval", "--interval"), Map.entry("maxImages", "--max-images"), Map.entry("runMode", "--run"),
      Map.entry("tags", "--tag"), Map.entry("clientToken", "--client-token"), Map.entry("excludes", "--exclude"),
      Map.entry("bandwidthLimitKBps", "--bwlimit"), Map.entry("compressionLevel", "--compress"));
  private static final Pattern INTERVAL = Pattern.compile("(\\d{1,6})([hd])");
  static final String INTERVAL_ALLOWED = "whole hours or days, 1h..168h (1d..7d)";

  private final List<FieldError> bad = new ArrayList<>();

  /** " (--max-images)" for a spec field an option of {@code command} sets, "" for others. */
  static String optionOf(String command, String field) {
    String f = field.startsWith("tags[") ? "tags" : field;
    String o = command.equals("task modify") && f.equals("name") ? "--new-name" : OPTION.get(f);
    return o == null ? "" : " (" + o + ")";
  }

  /** {@code 6h}, {@code 168h}, {@code 1d}..{@code 7d}; a range error is left to {@link SyncPolicy}. */
  @Nullable
  Duration interval(@Nullable String text) {
    if (text == null) {
      return null;
    }
    Matcher m = INTERVAL.matcher(text.trim());
    if (!m.matches()) {
      bad.add(new FieldError("interval", text, INTERVAL_ALLOWED));
      return null;
    }
    long n = Long.parseLong(m.group(1));
    Duration d = m.group(2).equals("h") ? Duration.ofHours(n) : Duration.ofDays(n);
    if (d.compareTo(SyncPolicy.MIN_INTERVAL) < 0 || d.compareTo(SyncPolicy.MAX_INTERVAL) > 0) {
      bad.add(new FieldError("interval", text, "allowed 1h..168h (1 hour to 7 days)"));
      return null; // the spec's "interval missing" that follows is dropped in build()
    }
    return d;
  }

  @Nullable
  Integer maxImages(@Nullable String text) {
    if (text == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= SyncPolicy.MIN_IMAGES && n <= SyncPolicy.MAX_IMAGES) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    // checked here, not left to SyncPolicy: it checks max images only together with a valid interval
    bad.add(new FieldError("maxImages", text, "allowed " + SyncPolicy.MIN_IMAGES + ".." + SyncPolicy.MAX_IMAGES));
    return null;
  }

  /** A new name and description for {@code task modify}, checked as the spec checks them. */
  void nameAndDescription(@Nullable String name, @Nullable String description) {
    Checks c = new Checks();
    if (name != null) {
      c.name("name", name);
    }
    c.maxLength("description", description, TaskSpec.MAX_DESCRIPTION);
    bad.addAll(c.errors());
  }

  /** {@code now}, {@code create-only} or {@code at:<ISO-8601 instant>}; the time window is checked by the spec. */
  RunMode runMode(@Nullable String text) {
    if (text == null || text.equals("now")) {
      return RunMode.now();
    }
    if (text.equals("create-only")) {
      return RunMode.createOnly();
    }
    if (text.startsWith("at:")) {
      try {
        return RunMode.at(Instant.parse(text.substring(3)));
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    bad.add(new FieldError("runMode", text, "now, create-only or at:<UTC time> like at:2026-12-01T02:00:00Z,"
        + " 10 minutes to 30 days ahead"));
    return RunMode.createOnly();
  }

  Duration validity(@Nullable String days) {
    if (days == null) {
      return TaskSpec.DEFAULT_VALIDITY;
    }
    try {
      return Duration.ofDays(Long.parseLong(days.trim()));
    } catch (NumberFormatException e) {
      bad.add(new FieldError("validity", days, "a whole number of days, 7..90"));
      return TaskSpec.DEFAULT_VALIDITY;
    }
  }

  /** Adds each {@code key=value} tag to {@code b}; the spec checks keys, values and the count. */
  void tags(List<String> tags, TaskSpec.Builder b) {
    for (String t : tags) {
      int eq = t.indexOf('=');
      if (eq < 0) {
        bad.add(new FieldError("tags", t, "key=value (key 1-128 characters, value 0-128)"));
      } else {
        b.tag(t.substring(0, eq), t.substring(eq + 1));
      }
    }
  }

  TransferOptions transfer(@Nullable String bwlimit, @Nullable String compress, boolean checksum) {
    long bw = number("bandwidthLimitKBps", bwlimit, "KiB/s, 0 (unlimited).." + TransferOptions.MAX_BANDWIDTH_KBPS);
    long level = number("compressionLevel", compress, "0 (none).." + TransferOptions.MAX_COMPRESSION_LEVEL);
    try {
      return new TransferOptions(bw, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, level)), checksum);
    } catch (InvalidSpecException e) {
      bad.addAll(e.errors());
      return TransferOptions.DEFAULTS;
    }
  }

  private long number(String field, @Nullable String text, String allowed) {
    if (text == null) {
      return 0;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      bad.add(new FieldError(field, text, allowed));
      return 0;
    }
  }

  /** Builds the spec, throwing one exception with the parse errors and the spec's own. */
  TaskSpec build(TaskSpec.Builder b) {
    List<FieldError> all = new ArrayList<>(bad);
    try {
      TaskSpec spec = b.build();
      throwIfAny(all);
      return spec;
    } catch (InvalidSpecException e) {
      for (FieldError f : e.errors()) {
        if (bad.stream().noneMatch(x -> x.field().equals(f.field()))) { // "interval missing" after "interval 'x'"
          all.add(f);
        }
      }
      throw new InvalidSpecException(all);
    }
  }

  /** Throws the errors collected so far, if any. */
  void throwIfAny() {
    throwIfAny(bad);
  }

  private static void throwIfAny(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new InvalidSpecException(errors);
    }
  }
}
