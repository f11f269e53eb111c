package dev.smc.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Turns the raw rows of either format into a {@link Sheet}: the first non-empty row is the header,
 * empty rows are skipped, cells are trimmed, and the row, column and cell-length limits are
 * enforced the same way for .xlsx and .csv. Not thread-safe; one instance per read.
 */
final class RowCollector {
  /** A cell refused while reading, by its 0-based column index. */
  record CellProblem(int column, @Nullable String value, String reason) {}

  private final Path file;
  private final Limits limits;
  private final List<Problem> problems = new ArrayList<>();
  private final List<Sheet.Row> rows = new ArrayList<>();
  @Nullable private List<String> header;

  RowCollector(Path file, Limits limits) {
    this.file = file;
    this.limits = limits;
  }

  /**
   * Adds one row as the spreadsheet program numbers it; {@code cells} by 0-based column, null or
   * blank for an empty cell; {@code refused} the cells the format reader would not take.
   */
  void row(int number, List<String> cells, List<CellProblem> refused) throws SheetException {
    List<String> trimmed = new ArrayList<>(cells.size());
    boolean empty = refused.isEmpty();
    for (int c = 0; c < cells.size(); c++) {
      String v = cells.get(c);
      v = v == null ? "" : v.strip();
      if (!v.isEmpty()) {
        empty = false;
        if (c >= limits.maxColumns()) {
          throw new SheetException(file + ": row " + number + " has a value in column " + (c + 1) + " ("
              + letters(c) + "), past the limit of " + limits.maxColumns() + " columns (maxColumns)");
        }
        if (v.length() > limits.maxCellChars()) {
          throw new SheetException(file + ": row " + number + ", column " + letters(c) + " holds " + v.length()
              + " characters, over the limit of " + limits.maxCellChars() + " (maxCellChars)");
        }
      }
      trimmed.add(v);
    }
    if (empty) {
      return;
    }
    if (header == null) {
      header(number, trimmed, refused);
      return;
    }
    if (rows.size() == limits.maxRows()) {
      throw new SheetException(file + ": more than " + limits.maxRows() + " data rows (maxRows); row " + number
          + " is the " + (limits.maxRows() + 1) + "th");
    }
    Map<String, String> byName = new LinkedHashMap<>();
    for (int c = 0; c < trimmed.size(); c++) {
      String v = trimmed.get(c);
      if (v.isEmpty()) {
        continue;
      }
      String name = c < header.size() ? header.get(c) : "";
      if (name.isEmpty()) {
        problems.add(new Problem(number, letters(c), v, "a value in a column without a name in the header row;"
            + " name the column or move the value"));
      } else {
        byName.put(name, v);
      }
    }
    for (CellProblem p : refused) {
      problems.add(new Problem(number, columnName(p.column()), p.value(), p.reason()));
    }
    rows.add(new Sheet.Row(number, byName));
  }

  private void header(int number, List<String> names, List<CellProblem> refused) throws SheetException {
    Map<String, Integer> seen = new HashMap<>();
    for (int c = 0; c < names.size(); c++) {
      String n = names.get(c);
      Integer before = n.isEmpty() ? null : seen.putIfAbsent(n, c);
      if (before != null) {
        throw new SheetException(file + ": the header row (row " + number + ") names column '" + n + "' twice, in "
            + letters(before) + " and " + letters(c) + "; each column may appear once");
      }
    }
    for (CellProblem p : refused) {
      problems.add(new Problem(number, letters(p.column()), p.value(), p.reason() + " (in the header row)"));
    }
    int last = names.size();
    while (last > 0 && names.get(last - 1).isEmpty()) {
      last--;
    }
    header = List.copyOf(names.subList(0, last));
  }

  ReadResult finish() throws SheetException {
    if (header == null) {
      throw new SheetException(file + ": no header row; the sheet is empty (expected a first row naming the columns,"
          + " e.g. " + String.join(",", TaskColumns.names().subList(0, 3)) + ")");
    }
    return new ReadResult(new Sheet(header, rows), problems);
  }

  private String columnName(int c) {
    String n = header != null && c < header.size() ? header.get(c) : "";
    return n.isEmpty() ? letters(c) : n;
  }

  /** The column's letters as a spreadsheet program shows them: 0 → A, 26 → AA. */
  static String letters(int column) {
    StringBuilder s = new StringBuilder();
    for (int c = column + 1; c > 0; c = (c - 1) / 26) {
      s.insert(0, (char) ('A' + (c - 1) % 26));
    }
    return s.toString();
  }
}
