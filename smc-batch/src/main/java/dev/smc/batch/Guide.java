package dev.smc.batch;

import java.util.List;

/**
 * What each column of a template means, written by {@link SheetFiles#write} as a second sheet
 * "Columns" of an .xlsx so the person filling it in needs no other document. Immutable and
 * thread-safe.
 */
public record Guide(List<Column> columns) {
  public Guide {
    columns = List.copyOf(columns);
  }

  /**
   * One column.
   *
   * @param name the column name, as in the header row
   * @param description what it is
   * @param allowed the values allowed, and what an empty cell means
   * @param example a value that is accepted
   */
  public record Column(String name, String description, String allowed, String example) {}
}
