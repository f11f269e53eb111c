package dev.smc.batch;

import dev.smc.TaskSpec;
import dev.smc.scheduler.MigrationTask;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the client token makes of a row: a row whose token is an existing task's, with the same
 * fields, is that task again ("exists", skipped); with other fields it is a problem naming them (a
 * token names one task). Stateless.
 */
final class ClientTokens {
  private ClientTokens() {}

  /** The existing task of {@code spec}'s client token, if any. */
  static Optional<MigrationTask> taskOf(TaskSpec spec, Map<String, MigrationTask> byToken) {
    return spec.clientToken().map(byToken::get);
  }

  static Map<String, MigrationTask> index(List<MigrationTask> tasks) {
    return tasks.stream().filter(t -> t.spec().clientToken().isPresent())
        .collect(Collectors.toMap(t -> t.spec().clientToken().get(), Function.identity(), (a, b) -> a));
  }

  /** The spec fields (as the sheet's columns) in which {@code row} differs from {@code existing}. */
  static List<String> differences(TaskSpec row, TaskSpec existing) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : TaskSpec.class.getRecordComponents()) {
      try {
        Object a = c.getAccessor().invoke(row);
        Object b = c.getAccessor().invoke(existing);
        if (!Objects.equals(a, b)) {
          String column = TaskRow.column(c.getName().equals("syncPolicy") ? "interval" : c.getName());
          if (c.getName().equals("transfer")) {
            column = TaskColumns.COMPRESS + "/" + TaskColumns.BWLIMIT + "/" + TaskColumns.CHECKSUM;
          }
          out.add(column);
        }
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("TaskSpec." + c.getName() + " cannot be read", e);
      }
    }
    return out;
  }

  /** The problem of a row whose token is another task's with other fields. */
  static Problem conflict(int row, TaskSpec spec, MigrationTask existing, List<String> fields) {
    return new Problem(row, TaskColumns.CLIENT_TOKEN, spec.clientToken().orElse(null), "the client token of task '"
        + existing.name() + "', whose " + String.join(", ", fields) + " differ from this row's; a client token names"
        + " one task (give this row another token, or the same fields)");
  }
}
