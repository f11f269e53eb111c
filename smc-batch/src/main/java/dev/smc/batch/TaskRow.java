package dev.smc.batch;

import static dev.smc.batch.TaskColumns.BWLIMIT;
import static dev.smc.batch.TaskColumns.CHECKSUM;
import static dev.smc.batch.TaskColumns.CLIENT_TOKEN;
import static dev.smc.batch.TaskColumns.COMPRESS;
import static dev.smc.batch.TaskColumns.DESCRIPTION;
import static dev.smc.batch.TaskColumns.EXCLUDE;
import static dev.smc.batch.TaskColumns.IMAGE_NAME;
import static dev.smc.batch.TaskColumns.INCREMENTAL;
import static dev.smc.batch.TaskColumns.INTERVAL;
import static dev.smc.batch.TaskColumns.MAX_IMAGES;
import static dev.smc.batch.TaskColumns.NAME;
import static dev.smc.batch.TaskColumns.POST_SNAPSHOT;
import static dev.smc.batch.TaskColumns.PRE_SNAPSHOT;
import static dev.smc.batch.TaskColumns.RUN;
import static dev.smc.batch.TaskColumns.SEPARATOR;
import static dev.smc.batch.TaskColumns.SOURCE;
import static dev.smc.batch.TaskColumns.TAG;
import static dev.smc.batch.TaskColumns.VALID_DAYS;

import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.SnapshotCommands;
import dev.smc.TaskOptionText;
import dev.smc.TaskSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * One data row of a task sheet turned into a {@link TaskSpec} with the rules of {@code smc task
 * create}: each cell is parsed as the option of the same long name is ({@link TaskOptionText}), and
 * every bad cell becomes a {@link Problem} naming its column. Stateless.
 */
final class TaskRow {
  /** The columns, in template order: the long names of {@code smc task create}'s options. */
  static final List<String> COLUMNS = TaskColumns.names();
  static final List<String> REQUIRED = List.of(NAME, SOURCE, IMAGE_NAME);

  /** The column that sets each spec field (or parse field), to name it in a problem. */
  private static final Map<String, String> COLUMN_OF = Map.ofEntries(
      Map.entry("name", NAME), Map.entry("description", DESCRIPTION), Map.entry("source", SOURCE),
      Map.entry("imageName", IMAGE_NAME), Map.entry("validity", VALID_DAYS), Map.entry("interval", INTERVAL),
      Map.entry("maxImages", MAX_IMAGES), Map.entry("runMode", RUN), Map.entry("tags", TAG),
      Map.entry("clientToken", CLIENT_TOKEN), Map.entry("excludes", EXCLUDE), Map.entry("bandwidthLimitKBps", BWLIMIT),
      Map.entry("compressionLevel", COMPRESS), Map.entry("incremental", INCREMENTAL), Map.entry("checksum", CHECKSUM),
      Map.entry("preSnapshot", PRE_SNAPSHOT), Map.entry("postSnapshot", POST_SNAPSHOT));

  private TaskRow() {}

  /** A row's spec, or the problems of its cells. */
  record Parsed(int row, Optional<TaskSpec> spec, List<Problem> problems) {
    Parsed {
      problems = List.copyOf(problems);
    }
  }

  /** The column of a spec field; the field itself for one no column sets. */
  static String column(String field) {
    String f = field.startsWith("tags[") ? "tags" : field;
    return COLUMN_OF.getOrDefault(f, field);
  }

  /** A {@link Problem} for {@code e} in {@code row}: the column by its sheet name, the value, what is allowed. */
  static Problem problem(int row, FieldError e) {
    return new Problem(row, column(e.field()), e.value(), e.allowed());
  }

  /** Parses one row; {@code cells} are keyed by column name (see {@link #COLUMNS}), empty cells absent. */
  static Parsed parse(int row, Map<String, String> cells) {
    TaskOptionText o = new TaskOptionText();
    TaskSpec.Builder b = TaskSpec.builder()
        .name(cells.get(NAME))
        .source(cells.get(SOURCE))
        .imageName(cells.get(IMAGE_NAME))
        .runMode(o.runMode(cells.get(RUN)))
        .validity(o.validity(cells.get(VALID_DAYS)))
        .excludes(split(cells.get(EXCLUDE)))
        .transfer(o.transfer(cells.get(BWLIMIT), cells.get(COMPRESS), o.flag("checksum", cells.get(CHECKSUM))))
        .clientToken(cells.get(CLIENT_TOKEN))
        .snapshotCommands(new SnapshotCommands(Optional.ofNullable(cells.get(PRE_SNAPSHOT)),
            Optional.ofNullable(cells.get(POST_SNAPSHOT))));
    if (cells.get(DESCRIPTION) != null) {
      b.description(cells.get(DESCRIPTION));
    }
    boolean incremental = o.flag("incremental", cells.get(INCREMENTAL));
    // as on the command line: --interval or --max-images alone also make a task incremental
    if (incremental || cells.get(INTERVAL) != null || cells.get(MAX_IMAGES) != null) {
      b.incremental(o.interval(cells.get(INTERVAL)), o.maxImages(cells.get(MAX_IMAGES)));
    }
    o.tags(split(cells.get(TAG)), b);
    try {
      return new Parsed(row, Optional.of(o.build(b)), List.of());
    } catch (InvalidSpecException e) {
      List<Problem> out = new ArrayList<>();
      for (FieldError f : e.errors()) {
        out.add(problem(row, f));
      }
      return new Parsed(row, Optional.empty(), out);
    }
  }

  /** The values of a multi-valued cell: split at {@value #SEPARATOR}, trimmed, empty ones dropped. */
  static List<String> split(@Nullable String cell) {
    if (cell == null) {
      return List.of();
    }
    return Arrays.stream(cell.split(SEPARATOR)).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
