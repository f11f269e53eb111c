package dev.smc.batch;

import dev.smc.scheduler.MigrationTask;
import java.util.List;

/**
 * What an import did: the tasks it created (in sheet order), every problem found (by row, then as
 * found) and how many data rows it read. Immutable and thread-safe.
 *
 * @param created the new tasks; empty for a dry run or when a problem stopped the import
 * @param existing the tasks of rows imported before: a client token and the same fields ("exists", skipped)
 * @param problems every problem of the header, the cells and the rows against each other and the store
 * @param rowsRead the data rows of the sheet
 */
public record ImportResult(List<MigrationTask> created, List<MigrationTask> existing, List<Problem> problems,
    int rowsRead) {
  public ImportResult {
    created = List.copyOf(created);
    existing = List.copyOf(existing);
    problems = List.copyOf(problems);
  }

  /** A result without rows that were imported before. */
  public ImportResult(List<MigrationTask> created, List<Problem> problems, int rowsRead) {
    this(created, List.of(), problems, rowsRead);
  }

  /** Whether the sheet had no problem at all. */
  public boolean clean() {
    return problems.isEmpty();
  }
}
