package dev.smc.batch;

/**
 * How much of a spreadsheet file {@link SheetFiles#read} accepts before it refuses the file with a
 * {@link SheetException} naming the limit and the value found. The defaults fit a template of a
 * thousand tasks many times over; they exist so a hostile or broken file (a zip bomb, a runaway
 * export) fails fast instead of exhausting memory. Immutable and thread-safe.
 *
 * @param maxFileBytes the file's size on disk
 * @param maxRows data rows (the header and empty rows not counted)
 * @param maxColumns columns, counting to the last one holding a value
 * @param maxCellChars characters in one cell
 * @param maxUnzippedBytes an .xlsx's parts, inflated, all together
 * @param maxCompressionRatio inflated size of an .xlsx part over its compressed size
 */
public record Limits(long maxFileBytes, int maxRows, int maxColumns, int maxCellChars, long maxUnzippedBytes,
    int maxCompressionRatio) {

  public static final Limits DEFAULTS = new Limits(10L << 20, 1000, 64, 4096, 50L << 20, 100);

  public Limits {
    positive("maxFileBytes", maxFileBytes);
    positive("maxRows", maxRows);
    positive("maxColumns", maxColumns);
    positive("maxCellChars", maxCellChars);
    positive("maxUnzippedBytes", maxUnzippedBytes);
    positive("maxCompressionRatio", maxCompressionRatio);
  }

  private static void positive(String field, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " " + value + ": must be at least 1");
    }
  }

  public Limits withMaxFileBytes(long v) {
    return new Limits(v, maxRows, maxColumns, maxCellChars, maxUnzippedBytes, maxCompressionRatio);
  }

  public Limits withMaxRows(int v) {
    return new Limits(maxFileBytes, v, maxColumns, maxCellChars, maxUnzippedBytes, maxCompressionRatio);
  }

  public Limits withMaxColumns(int v) {
    return new Limits(maxFileBytes, maxRows, v, maxCellChars, maxUnzippedBytes, maxCompressionRatio);
  }

  public Limits withMaxCellChars(int v) {
    return new Limits(maxFileBytes, maxRows, maxColumns, v, maxUnzippedBytes, maxCompressionRatio);
  }

  public Limits withMaxUnzippedBytes(long v) {
    return new Limits(maxFileBytes, maxRows, maxColumns, maxCellChars, v, maxCompressionRatio);
  }

  public Limits withMaxCompressionRatio(int v) {
    return new Limits(maxFileBytes, maxRows, maxColumns, maxCellChars, maxUnzippedBytes, v);
  }
}
