package dev.smc.scheduler.spi;

import dev.smc.TaskId;
import java.util.List;

/**
 * A batch of tasks being created together, recorded in the {@link TaskStore} before the first of
 * them is stored and removed after the last: one still present when nobody holds its lock means the
 * batch was cut short, and its tasks are removed, so a batch leaves all of its tasks or none.
 * Immutable and thread-safe.
 *
 * @param id the batch's id: letters, digits, '_' and '-', 1-64 characters (also the name of its store lock)
 * @param tasks the ids of the batch's tasks
 */
public record BatchIntent(String id, List<TaskId> tasks) {
  public BatchIntent {
    if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("batch id '" + id + "': 1-64 letters, digits, '_' and '-'");
    }
    tasks = List.copyOf(tasks);
  }

  /** The id under which the batch's creator holds the store's {@link TaskStore#tryLock lock}. */
  public TaskId lockId() {
    return new TaskId(id);
  }
}
