package dev.smc;

import dev.smc.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Turns the text of task options, as an operator types them (in {@code smc task create} and
 * {@code smc task modify}, or in a cell of a task spreadsheet), into spec values, collecting every
 * bad field (unparseable text here, out-of-range values from {@link TaskSpec.Builder#build()}) into
 * one {@link InvalidSpecException}, so the user sees them all at once. Each error names the spec
 * field ({@code interval}, {@code maxImages}, {@code runMode}, {@code validity}, {@code tags},
 * {@code bandwidthLimitKBps}, {@code compressionLevel}, or the field given to {@link #flag}). Not
 * thread-safe; one instance per command or row.
 */
public final class TaskOptionText {
  private static final Pattern INTERVAL = Pattern.compile("(\\d{1,6})([hd])");
  public static final String INTERVAL_ALLOWED = "whole hours or days, 1h..168h (1d..7d)";

  /** An interval as {@code --interval} takes it: {@code 6h}, {@code 1d}. */
  public static String formatInterval(java.time.Duration interval) {
    return dev.smc.internal.Durations.format(interval);
  }

  private final List<FieldError> bad = new ArrayList<>();

  /** {@code 6h}, {@code 168h}, {@code 1d}..{@code 7d}; a range error is left to {@link SyncPolicy}. */
  @Nullable
  public Duration interval(@Nullable String text) {
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
  public Integer maxImages(@Nullable String text) {
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
  public void nameAndDescription(@Nullable String name, @Nullable String description) {
    Checks c = new Checks();
    if (name != null) {
      c.name("name", name);
    }
    c.maxLength("description", description, TaskSpec.MAX_DESCRIPTION);
    bad.addAll(c.errors());
  }

  /** {@code now}, {@code create-only} or {@code at:<ISO-8601 instant>}; the time window is checked by the spec. */
  public RunMode runMode(@Nullable String text) {
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

  public Duration validity(@Nullable String days) {
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
  public void tags(List<String> tags, TaskSpec.Builder b) {
    for (String t : tags) {
      int eq = t.indexOf('=');
      if (eq < 0) {
        bad.add(new FieldError("tags", t, "key=value (key 1-128 characters, value 0-128)"));
      } else {
        b.tag(t.substring(0, eq), t.substring(eq + 1));
      }
    }
  }

  public TransferOptions transfer(@Nullable String bwlimit, @Nullable String compress, boolean checksum) {
    long bw = number("bandwidthLimitKBps", bwlimit, "KiB/s, 0 (unlimited).." + TransferOptions.MAX_BANDWIDTH_KBPS);
    long level = number("compressionLevel", compress, "0 (none).." + TransferOptions.MAX_COMPRESSION_LEVEL);
    try {
      return new TransferOptions(bw, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, level)), checksum);
    } catch (InvalidSpecException e) {
      bad.addAll(e.errors());
      return TransferOptions.DEFAULTS;
    }
  }

  /**
   * A yes/no cell: empty is {@code false}; {@code true}/{@code false}, {@code yes}/{@code no},
   * {@code 1}/{@code 0} in any case. (On the command line such an option is a flag instead.)
   */
  public boolean flag(String field, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return false;
    }
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1":
        return true;
      case "false", "no", "0":
        return false;
      default:
        bad.add(new FieldError(field, text, "true or false (also yes/no, 1/0; empty is false)"));
        return false;
    }
  }

  /** The errors collected so far, in the order found. */
  public List<FieldError> errors() {
    return List.copyOf(bad);
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
  public TaskSpec build(TaskSpec.Builder b) {
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
  public void throwIfAny() {
    throwIfAny(bad);
  }

  private static void throwIfAny(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new InvalidSpecException(errors);
    }
  }
}
