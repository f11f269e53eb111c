package dev.smc.batch;

import java.util.List;
import java.util.Map;

/**
 * The cells of a task spreadsheet as read: its header (column names, in order) and its data rows.
 * Values are the text of each cell, trimmed; an empty cell is absent from {@link Row#cells()}.
 *
 * @param header the column names of the header row, as written in the file
 * @param rows the data rows, in file order (empty rows skipped)
 */
public record Sheet(List<String> header, List<Row> rows) {
  public Sheet {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }

  /**
   * One data row.
   *
   * @param number the row's number as the spreadsheet program shows it (the header is row 1)
   * @param cells column name to cell text
   */
  public record Row(int number, Map<String, String> cells) {
    public Row {
      cells = Map.copyOf(cells);
    }
  }
}
