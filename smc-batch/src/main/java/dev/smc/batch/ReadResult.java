package dev.smc.batch;

import java.util.List;

/**
 * A spreadsheet as read: its cells, and the cells refused while reading (a formula, a date, an
 * error value, a value under no column name), each naming row and column. A refused cell is absent
 * from {@link Sheet.Row#cells()}. Immutable and thread-safe.
 */
public record ReadResult(Sheet sheet, List<Problem> problems) {
  public ReadResult {
    problems = List.copyOf(problems);
  }
}
