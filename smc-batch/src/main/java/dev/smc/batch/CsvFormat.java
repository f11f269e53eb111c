package dev.smc.batch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 4180 CSV in UTF-8: reads with or without a byte-order mark, CRLF, LF or CR line ends, quoted
 * cells holding commas, doubled quotes and line breaks (a CRLF inside quotes is read as LF, as a
 * spreadsheet cell holds it); writes with a BOM (so Excel takes it as UTF-8), CRLF, and quotes only
 * where needed. Stateless; thread-safe.
 */
final class CsvFormat {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private CsvFormat() {}

  static ReadResult read(Path file, byte[] bytes, Limits limits) throws SheetException {
    String text = decode(file, bytes);
    RowCollector out = new RowCollector(file, limits);
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int record = 1;
    int column = 0; // the current cell's 0-based column
    int quoteOpenedOn = 0; // the record a still-open quote began in, 0 when none is open
    boolean quotedCell = false; // the current cell was quoted and its closing quote seen
    int i = text.startsWith("\uFEFF") ? 1 : 0;
    int n = text.length();
    while (i < n) {
      char ch = text.charAt(i);
      if (quoteOpenedOn != 0) {
        if (ch == '"') {
          if (i + 1 < n && text.charAt(i + 1) == '"') {
            cell.append('"');
            i += 2;
            continue;
          }
          quoteOpenedOn = 0;
          quotedCell = true;
        } else if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          cell.append('\n');
          i++;
        } else {
          cell.append(ch);
        }
        i++;
        continue;
      }
      if (ch == ',') {
        add(file, limits, record, column++, cells, cell);
        cell.setLength(0);
        quotedCell = false;
        i++;
      } else if (ch == '\r' || ch == '\n') {
        add(file, limits, record, column, cells, cell);
        column = 0;
        out.row(record++, cells, List.of());
        cells = new ArrayList<>();
        cell.setLength(0);
        quotedCell = false;
        i += ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
      } else if (ch == '"') {
        if (quotedCell || !cell.toString().isBlank()) {
          throw malformed(file, record, column, "a quote inside a cell that is not quoted as a whole;"
              + " quote the whole cell and double the quote inside (\"6\"\" disk\")");
        }
        cell.setLength(0);
        quoteOpenedOn = record;
        i++;
      } else {
        if (quotedCell && !Character.isWhitespace(ch)) {
          throw malformed(file, record, column, "text after the closing quote of a quoted cell;"
              + " double a quote inside a quoted cell (\"\")");
        }
        if (!quotedCell) {
          cell.append(ch);
        }
        i++;
      }
      if (cell.length() > limits.maxCellChars()) {
        throw new SheetException(file + ": row " + record + ", column " + RowCollector.letters(column)
            + " holds more than " + limits.maxCellChars() + " characters (maxCellChars)");
      }
    }
    if (quoteOpenedOn != 0) {
      throw malformed(file, quoteOpenedOn, column, "a quote opened here is never closed");
    }
    if (!cells.isEmpty() || cell.length() > 0) {
      add(file, limits, record, column, cells, cell);
      out.row(record, cells, List.of());
    }
    return out.finish();
  }

  /** Ends a cell; empty cells past the column limit are dropped so a line of commas cannot fill memory. */
  private static void add(Path file, Limits limits, int record, int column, List<String> cells, StringBuilder cell)
      throws SheetException {
    if (column < limits.maxColumns()) {
      cells.add(cell.toString());
    } else if (!cell.toString().isBlank()) {
      throw new SheetException(file + ": row " + record + " has a value in column " + (column + 1) + " ("
          + RowCollector.letters(column) + "), past the limit of " + limits.maxColumns()
          + " columns (maxColumns)");
    }
  }

  private static SheetException malformed(Path file, int record, int column, String what) {
    return new SheetException(file + ": not valid CSV at row " + record + ", column "
        + RowCollector.letters(column) + ": " + what);
  }

  private static String decode(Path file, byte[] bytes) throws SheetException {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) {
      r = d.flush(out);
    }
    if (r.isError()) {
      int line = 1;
      for (int k = 0; k < in.position(); k++) {
        line += bytes[k] == '\n' ? 1 : 0;
      }
      throw new SheetException(file + ": not UTF-8 text (invalid byte 0x"
          + String.format("%02X", bytes[in.position()] & 0xff) + " at byte offset " + in.position() + ", line " + line
          + "); save the CSV as \"CSV UTF-8\", or use .xlsx");
    }
    return out.flip().toString();
  }

  static void write(OutputStream os, List<String> header, List<Map<String, String>> rows) throws IOException {
    StringBuilder s = new StringBuilder();
    line(s, header);
    for (Map<String, String> row : rows) {
      List<String> cells = new ArrayList<>(header.size());
      for (String h : header) {
        String v = row.get(h);
        cells.add(v == null ? "" : v);
      }
      line(s, cells);
    }
    os.write(BOM);
    os.write(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void line(StringBuilder s, List<String> cells) {
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        s.append(',');
      }
      String v = cells.get(c);
      boolean quote = v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
          || (!v.isEmpty() && (Character.isWhitespace(v.charAt(0)) || Character.isWhitespace(v.charAt(v.length() - 1))));
      s.append(quote ? '"' + v.replace("\"", "\"\"") + '"' : v);
    }
    s.append("\r\n");
  }
}
