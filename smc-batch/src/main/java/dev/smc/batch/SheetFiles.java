package dev.smc.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Reads and writes task spreadsheets as .xlsx (Excel, LibreOffice, Numbers) or .csv (RFC 4180,
 * UTF-8), chosen by the file's extension. Reading is defensive: every {@link Limits limit} is
 * checked before or while parsing, so a hostile file fails with a {@link SheetException} rather than
 * a hang or an {@link OutOfMemoryError}. Stateless; thread-safe; every method blocks on file I/O.
 */
public final class SheetFiles {
  private static final String ALLOWED = ".xlsx or .csv";

  private SheetFiles() {}

  /**
   * Reads the first sheet of an .xlsx, or a .csv: the first non-empty row is the header, empty rows
   * are skipped, cells are trimmed text, rows are numbered as a spreadsheet program shows them.
   * Cells that cannot be taken as typed text (formulas, dates, error values) come back as problems.
   *
   * @throws SheetException when the file is missing, empty, of another format, over a limit, not
   *     a valid .xlsx or CSV, or has no header row; the message names the file and what is wrong
   */
  public static ReadResult read(Path file, Limits limits) throws SheetException {
    Format format = format(file);
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new SheetException(file + ": no such file", e);
    } catch (IOException e) {
      throw new SheetException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (size > limits.maxFileBytes()) {
      throw new SheetException(file + ": " + size + " bytes, over the limit of " + limits.maxFileBytes()
          + " bytes (maxFileBytes)");
    }
    if (size == 0) {
      throw new SheetException(file + ": the file is empty (0 bytes); expected a header row naming the columns");
    }
    if (format == Format.CSV) {
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) limits.maxFileBytes() + 1); // bounded even if the file grew since size()
      } catch (IOException e) {
        throw new SheetException(file + ": cannot read: " + e.getMessage(), e);
      }
      if (bytes.length > limits.maxFileBytes()) {
        throw new SheetException(file + ": over the limit of " + limits.maxFileBytes() + " bytes (maxFileBytes)");
      }
      return CsvFormat.read(file, bytes, limits);
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(8);
    } catch (IOException e) {
      throw new SheetException(file + ": cannot read: " + e.getMessage(), e);
    }
    return XlsxFormat.read(file, head, limits);
  }

  /** {@link #read(Path, Limits)} with {@link Limits#DEFAULTS}. */
  public static ReadResult read(Path file) throws SheetException {
    return read(file, Limits.DEFAULTS);
  }

  /**
   * Writes a sheet, replacing {@code file} atomically (a temp file beside it, then a move) so a
   * reader never sees half a file. An .xlsx has a bold header row and every cell as text, so values
   * read back exactly; with a {@code guide} it has a second sheet "Columns" describing each column
   * (a .csv has no room for one and ignores it). A .csv is UTF-8 with a byte-order mark, so Excel
   * opens it right.
   *
   * @param rows column name to value; a column missing from a row, or an empty value, is an empty cell
   * @throws IllegalArgumentException when the header is empty or repeats a name, or a row names a
   *     column not in the header
   */
  public static void write(Path file, List<String> header, List<Map<String, String>> rows, @Nullable Guide guide)
      throws IOException {
    Format format = format(file);
    checkRows(header, rows);
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp)) {
        if (format == Format.CSV) {
          CsvFormat.write(os, header, rows);
        } else {
          XlsxFormat.write(os, header, rows, guide);
        }
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes a sheet as CSV (the format {@link #read} reads from a {@code .csv}) to {@code os}, e.g.
   * standard output, without the byte-order mark a file gets for Excel; {@code os} is not closed.
   *
   * @throws IllegalArgumentException as {@link #write(Path, List, List, Guide)}
   */
  public static void writeCsv(OutputStream os, List<String> header, List<Map<String, String>> rows)
      throws IOException {
    checkRows(header, rows);
    java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
    CsvFormat.write(csv, header, rows);
    byte[] b = csv.toByteArray();
    os.write(b, 3, b.length - 3); // after the BOM
  }

  private static void checkRows(List<String> header, List<Map<String, String>> rows) {
    if (header.isEmpty() || Set.copyOf(header).size() != header.size()) {
      throw new IllegalArgumentException("header " + header + ": must be non-empty with each name once");
    }
    for (int r = 0; r < rows.size(); r++) {
      for (String k : rows.get(r).keySet()) {
        if (!header.contains(k)) {
          throw new IllegalArgumentException("rows[" + r + "] column '" + k + "': not in the header " + header);
        }
      }
    }
  }

  private enum Format { XLSX, CSV }

  private static Format format(Path file) throws SheetException {
    Path name = file.getFileName();
    String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".xlsx")) {
      return Format.XLSX;
    }
    if (n.endsWith(".csv")) {
      return Format.CSV;
    }
    throw new SheetException(file + ": unknown spreadsheet format; allowed extensions: " + ALLOWED
        + " (an .xls or .ods: save it as .xlsx first)");
  }
}
