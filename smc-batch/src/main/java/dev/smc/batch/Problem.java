package dev.smc.batch;

import javax.annotation.Nullable;

/**
 * One thing wrong with an imported file: where (row and column as the spreadsheet program shows
 * them; row 0 for the file as a whole, column null for a whole row), the value found and why it is
 * refused, naming what is allowed.
 */
public record Problem(int row, @Nullable String column, @Nullable String value, String reason) {
  @Override
  public String toString() {
    return (row == 0 ? "file" : "row " + row) + (column == null ? "" : ", column " + column)
        + (value == null ? "" : ", value '" + value + "'") + ": " + reason;
  }
}
