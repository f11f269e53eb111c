package dev.smc.batch;

import dev.smc.SnapshotCommands;
import dev.smc.SyncPolicy;
import dev.smc.TaskSpec;
import dev.smc.TransferOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of the task template: one per {@code smc task create} option, by its long name, in
 * the order the template shows them, each with what it is, the values allowed (the ranges of
 * {@link TaskSpec}, {@link SyncPolicy} and {@link TransferOptions}) and an accepted example.
 * Multi-valued cells ({@value #EXCLUDE}, {@value #TAG}) separate values with {@value #SEPARATOR}.
 * Stateless; thread-safe.
 */
public final class TaskColumns {
  public static final String NAME = "name";
  public static final String SOURCE = "source";
  public static final String IMAGE_NAME = "image-name";
  public static final String INCREMENTAL = "incremental";
  public static final String INTERVAL = "interval";
  public static final String MAX_IMAGES = "max-images";
  public static final String RUN = "run";
  public static final String VALID_DAYS = "valid-days";
  public static final String COMPRESS = "compress";
  public static final String BWLIMIT = "bwlimit";
  public static final String CHECKSUM = "checksum";
  public static final String EXCLUDE = "exclude";
  public static final String TAG = "tag";
  public static final String DESCRIPTION = "description";
  public static final String CLIENT_TOKEN = "client-token";
  public static final String PRE_SNAPSHOT = "pre-snapshot";
  public static final String POST_SNAPSHOT = "post-snapshot";
  /** Separates the values of a multi-valued cell. */
  public static final String SEPARATOR = ";";

  private static final String NAME_RULE = "2-128 characters, starting with a letter, then letters, digits, ':', '_', '-'";

  private static final List<Guide.Column> COLUMNS = List.of(
      new Guide.Column(NAME, "The task's name, unique among tasks; required.", NAME_RULE, "web-01"),
      new Guide.Column(SOURCE, "What to migrate: a mounted directory tree or a raw disk (file or block device)"
          + " on the machine that runs the task; required.", "a directory or disk path, e.g. /srv/www or /dev/sdb", "/srv/www"),
      new Guide.Column(IMAGE_NAME, "The name of the images the task's cycles store; required.", NAME_RULE,
          "web-01-root"),
      new Guide.Column(INCREMENTAL, "Whether the task synchronises again automatically after the first cycle.",
          "true or false; empty: false (true when interval or max-images is given)", "true"),
      new Guide.Column(INTERVAL, "Time between automatic incremental cycles (incremental tasks).",
          "whole hours or days, 1h..168h (1d..7d); required when incremental is true", "6h"),
      new Guide.Column(MAX_IMAGES, "How many images an incremental task keeps; older ones are removed.",
          SyncPolicy.MIN_IMAGES + ".." + SyncPolicy.MAX_IMAGES + "; required when incremental is true", "3"),
      new Guide.Column(RUN, "When the first cycle runs.", "now, create-only, or at:<UTC time> 10 minutes to"
          + " 30 days ahead; empty: now. Type the time as text, not as a date cell", "now"),
      new Guide.Column(VALID_DAYS, "Days the task stays valid before it expires.",
          TaskSpec.MIN_VALIDITY.toDays() + ".." + TaskSpec.MAX_VALIDITY.toDays() + " whole days; empty: "
              + TaskSpec.DEFAULT_VALIDITY.toDays(), "30"),
      new Guide.Column(COMPRESS, "Compression level of the transfer.",
          "0 (none).." + TransferOptions.MAX_COMPRESSION_LEVEL + "; empty: 0", "3"),
      new Guide.Column(BWLIMIT, "Bandwidth limit of the transfer, in KiB/s.",
          "0 (unlimited).." + TransferOptions.MAX_BANDWIDTH_KBPS + " KiB/s; empty: 0", "10240"),
      new Guide.Column(CHECKSUM, "Whether each cycle verifies what it stores before the image is committed: new packs are read"
          + " back whole and every chunk the image names is proven to be in its pack. (Not rsync's"
          + " --checksum: smc always compares files by content hashes when it reads them.)",
          "true or false; empty: false", "false"),
      new Guide.Column(EXCLUDE, "Paths not to migrate.", "patterns, separated by ';'", "/tmp/*;*.log"),
      new Guide.Column(TAG, "Labels to find and group tasks by.",
          "KEY=VALUE, separated by ';'; at most " + TaskSpec.MAX_TAGS + " (key 1-128 characters, value 0-128)",
          "env=prod;team=web"),
      new Guide.Column(DESCRIPTION, "Free text about the task.",
          "at most " + TaskSpec.MAX_DESCRIPTION + " characters", "Web server, rack 3"),
      new Guide.Column(CLIENT_TOKEN, "Makes creation idempotent: a second import with the same token creates"
          + " no second task.", "1-" + TaskSpec.MAX_CLIENT_TOKEN + " printable ASCII characters, no spaces",
          "web-01-2026-11"),
      new Guide.Column(PRE_SNAPSHOT, "A shell command run on the machine that runs the task before every cycle reads"
          + " the source (freeze a database, take a snapshot); the cycle fails if it fails.",
          "1-" + SnapshotCommands.MAX_COMMAND + " characters; empty: none", "fsfreeze -f /srv"),
      new Guide.Column(POST_SNAPSHOT, "A shell command run after every cycle read the source (thaw, remove the"
          + " snapshot); if it fails after the image was made, the image is kept and the cycle reported failed.",
          "1-" + SnapshotCommands.MAX_COMMAND + " characters; empty: none", "fsfreeze -u /srv"));

  private TaskColumns() {}

  /** The 17 column names, in template order. */
  public static List<String> names() {
    return COLUMNS.stream().map(Guide.Column::name).toList();
  }

  /** Each column with what it is, the allowed values and an example. */
  public static List<Guide.Column> columns() {
    return COLUMNS;
  }

  /** The guide sheet of the template. */
  public static Guide guide() {
    return new Guide(COLUMNS);
  }

  /** A row whose every cell holds its column's example: a task the template shows filled in. */
  public static Map<String, String> exampleRow() {
    Map<String, String> row = new LinkedHashMap<>();
    for (Guide.Column c : COLUMNS) {
      row.put(c.name(), c.example());
    }
    return row;
  }
}
