package dev.smc.batch;

import dev.smc.SyncPolicy;
import dev.smc.Tag;
import dev.smc.TaskSpec;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tasks of a store as a task sheet: the template's columns and one row a task, such that
 * importing it into an empty home recreates the same tasks (names, sources, image names, sync
 * policies, transfer options, validity, tags, excludes, descriptions, client tokens).
 *
 * <p><b>Run mode:</b> every row says {@code create-only}. A task's own run mode is history: {@code
 * now} would start a migration the moment the sheet is imported, and an {@code at:} time has mostly
 * passed (or is too close) by then; the recreated tasks wait Ready for a {@code task start}.
 * <b>Not carried:</b> state, cycles and images (a sheet holds definitions); target type, target
 * disks and network (no column sets them); an exclude pattern or tag with a {@code ;} (the cell
 * separator) is split on import. An interval that is not whole hours or a validity that is not
 * whole days (possible through the API only) is written as an ISO-8601 duration, which import
 * reports as a problem rather than rounding. Immutable and thread-safe.
 *
 * @param header the column names, in template order
 * @param rows one map a task (oldest first), column name to cell text, every column present ("" for an empty cell)
 */
public record TaskExport(List<String> header, List<Map<String, String>> rows) {
  public TaskExport {
    header = List.copyOf(header);
    rows = rows.stream().map(r -> (Map<String, String>) java.util.Collections.unmodifiableMap(new LinkedHashMap<>(r)))
        .toList();
  }

  /** The tasks in {@code m}, oldest first. */
  public static TaskExport of(Migrations m) throws IOException {
    return of(m.tasks());
  }

  /** The given tasks, in the given order. */
  public static TaskExport of(List<MigrationTask> tasks) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (MigrationTask t : tasks) {
      rows.add(row(t.spec()));
    }
    return new TaskExport(TaskRow.COLUMNS, rows);
  }

  /** The rows as a {@link Sheet}, numbered from 2 under the header, empty cells left out, as a reader gives them. */
  public Sheet toSheet() {
    List<Sheet.Row> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Map<String, String> cells = new HashMap<>();
      rows.get(i).forEach((k, v) -> {
        if (!v.isEmpty()) {
          cells.put(k, v);
        }
      });
      out.add(new Sheet.Row(i + 2, cells));
    }
    return new Sheet(header, out);
  }

  private static Map<String, String> row(TaskSpec s) {
    Map<String, String> r = new LinkedHashMap<>();
    TaskRow.COLUMNS.forEach(c -> r.put(c, ""));
    r.put(TaskColumns.NAME, s.name());
    r.put(TaskColumns.SOURCE, s.source());
    r.put(TaskColumns.IMAGE_NAME, s.imageName());
    r.put(TaskColumns.INCREMENTAL, String.valueOf(s.incremental()));
    if (s.syncPolicy().isPresent()) {
      SyncPolicy p = s.syncPolicy().get();
      r.put(TaskColumns.INTERVAL, hours(p.interval()));
      r.put(TaskColumns.MAX_IMAGES, String.valueOf(p.maxImages()));
    }
    r.put(TaskColumns.RUN, "create-only");
    r.put(TaskColumns.VALID_DAYS, s.validity().equals(Duration.ofDays(s.validity().toDays()))
        ? String.valueOf(s.validity().toDays()) : s.validity().toString());
    r.put(TaskColumns.COMPRESS, String.valueOf(s.transfer().compressionLevel()));
    r.put(TaskColumns.BWLIMIT, String.valueOf(s.transfer().bandwidthLimitKBps()));
    r.put(TaskColumns.CHECKSUM, String.valueOf(s.transfer().checksum()));
    r.put(TaskColumns.EXCLUDE, String.join(TaskColumns.SEPARATOR, s.excludes()));
    r.put(TaskColumns.TAG, s.tags().stream().map(Tag::toString).collect(Collectors.joining(TaskColumns.SEPARATOR)));
    r.put(TaskColumns.DESCRIPTION, s.description());
    r.put(TaskColumns.CLIENT_TOKEN, s.clientToken().orElse(""));
    r.put(TaskColumns.PRE_SNAPSHOT, s.snapshotCommands().preSnapshot().orElse(""));
    r.put(TaskColumns.POST_SNAPSHOT, s.snapshotCommands().postSnapshot().orElse(""));
    return r;
  }

  private static String hours(Duration d) {
    return d.equals(Duration.ofHours(d.toHours())) ? d.toHours() + "h" : d.toString();
  }
}
