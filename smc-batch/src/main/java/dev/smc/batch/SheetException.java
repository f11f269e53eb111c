package dev.smc.batch;

import java.io.IOException;

/**
 * A spreadsheet file that cannot be read as a whole: unknown format, over a {@link Limits limit},
 * not a valid .xlsx or CSV, or without a header row. The message names the file and what is
 * wrong (the limit and the value found, or the allowed formats). Problems with single cells are
 * not thrown but returned as {@link Problem}s in a {@link ReadResult}.
 */
public class SheetException extends IOException {
  private static final long serialVersionUID = 1L;

  public SheetException(String message) {
    super(message);
  }

  public SheetException(String message, Throwable cause) {
    super(message, cause);
  }
}
