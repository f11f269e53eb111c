package dev.smc.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Enumeration;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.annotation.Nullable;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;

/**
 * The first sheet of an .xlsx through fastexcel, after {@link InflationGuard} has vetted the zip.
 * Cells are taken as the text they hold; a value the user did not type (a formula, whose result we
 * would have to compute), a date (whose number is not what the column wants) and an error value are
 * refused as {@link Problem}s. Stateless; thread-safe.
 */
final class XlsxFormat {
  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0};
  /** Excel's built-in date and time formats, which a file names by id alone. */
  /** A1 to XFD1048576: at most three letters, then the row. */
  private static final Pattern CELL_REF = Pattern.compile("(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])[0-9]{1,7}");
  private static final Set<Integer> DATE_FORMAT_IDS = Set.of(14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47);

  private XlsxFormat() {}

  static ReadResult read(Path file, byte[] head, Limits limits) throws SheetException {
    if (startsWith(head, OLE2)) {
      throw new SheetException(file + ": not a valid .xlsx: an old .xls or a password-protected workbook;"
          + " save it as an unprotected .xlsx (Excel Workbook)");
    }
    if (!startsWith(head, ZIP)) {
      throw new SheetException(file + ": not a valid .xlsx: not a zip archive, which every .xlsx is");
    }
    Path copy = null;
    try {
      copy = Files.createTempFile("smc-sheet-", ".xlsx");
      InflationGuard.copyChecked(file, copy, limits);
      checkCellReferences(file, copy);
      return parse(file, copy, limits);
    } catch (IOException e) {
      throw e instanceof SheetException s ? s : new SheetException(file + ": cannot read: " + e.getMessage(), e);
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (IOException e) {
          // a leftover temp file is not worth failing the read for
        }
      }
    }
  }

  private static ReadResult parse(Path file, Path copy, Limits limits) throws SheetException {
    RowCollector out = new RowCollector(file, limits);
    try (ReadableWorkbook wb = new ReadableWorkbook(copy.toFile(), new ReadingOptions(true, false));
        Stream<Row> rows = wb.getFirstSheet().openStream()) {
      for (Iterator<Row> it = rows.iterator(); it.hasNext(); ) {
        Row r = it.next();
        List<String> cells = new ArrayList<>(r.getCellCount());
        List<RowCollector.CellProblem> refused = new ArrayList<>();
        for (int c = 0; c < r.getCellCount(); c++) {
          Cell cell = r.getCell(c);
          cells.add(null);
          if (cell == null) {
            continue;
          }
          String reason = refusal(cell);
          if (reason != null) {
            refused.add(new RowCollector.CellProblem(c, shown(cell), reason));
          } else {
            cells.set(c, text(cell));
          }
        }
        out.row(r.getRowNum(), cells, refused);
      }
    } catch (SheetException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new SheetException(file + ": not a valid .xlsx: " + (cause.getMessage() == null ? cause : cause.getMessage()),
          e);
    }
    return out.finish();
  }

  /**
   * Refuses a cell reference past Excel's last column (XFD): fastexcel sizes a row's cell list by
   * the largest column in it, so "r=\"FXSHRXW4\"" alone would exhaust memory.
   */
  private static void checkCellReferences(Path file, Path copy) throws SheetException {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    try (ZipFile zip = new ZipFile(copy.toFile())) {
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        if (!e.getName().startsWith("xl/worksheets/") || !e.getName().endsWith(".xml")) {
          continue;
        }
        try (InputStream in = zip.getInputStream(e)) {
          XMLStreamReader x = f.createXMLStreamReader(in);
          while (x.hasNext()) {
            if (x.next() == XMLStreamConstants.START_ELEMENT && x.getLocalName().equals("c")) {
              String ref = x.getAttributeValue(null, "r");
              if (ref != null && !CELL_REF.matcher(ref).matches()) {
                throw new SheetException(file + ": not a valid .xlsx: cell reference '"
                    + (ref.length() > 20 ? ref.substring(0, 20) + "..." : ref)
                    + "' in " + e.getName() + " is not a cell of a spreadsheet (columns A..XFD)");
              }
            }
          }
          x.close();
        }
      }
    } catch (SheetException e) {
      throw e;
    } catch (IOException | XMLStreamException | RuntimeException e) {
      throw new SheetException(file + ": not a valid .xlsx: " + e.getMessage(), e);
    }
  }

  /** Why a cell is refused, or null when its value can be taken as text. */
  @Nullable
  private static String refusal(Cell cell) {
    CellType t = cell.getType();
    if (t == CellType.FORMULA || cell.getFormula() != null) {
      return "a formula; type the value (formulas are not calculated)";
    }
    if (t == CellType.ERROR) {
      return "an error value; type the value";
    }
    if (t == CellType.NUMBER && isDateFormat(cell.getDataFormatId(), cell.getDataFormatString())) {
      return "a date; type the number, or the text (for run: at:2026-12-01T02:00:00Z), in a cell formatted as text";
    }
    return null;
  }

  private static String text(Cell cell) {
    CellType t = cell.getType();
    if (t == CellType.NUMBER) {
      BigDecimal n = cell.asNumber().stripTrailingZeros();
      return (n.signum() == 0 ? BigDecimal.ZERO : n).toPlainString();
    }
    if (t == CellType.BOOLEAN) {
      return Boolean.TRUE.equals(cell.asBoolean()) ? "true" : "false";
    }
    return t == CellType.EMPTY ? "" : cell.getText();
  }

  /** What to show of a refused cell: the formula, or the raw value. */
  @Nullable
  private static String shown(Cell cell) {
    return cell.getFormula() != null ? "=" + cell.getFormula().replaceFirst("^=", "") : cell.getRawValue();
  }

  /**
   * A number format shows a date or time when it holds d, m, y, h or s outside quoted text,
   * escaped characters and [colour]/[$currency] sections (the rule spreadsheet programs use).
   */
  static boolean isDateFormat(@Nullable Integer id, @Nullable String format) {
    if (id != null && DATE_FORMAT_IDS.contains(id)) {
      return true;
    }
    if (format == null) {
      return false;
    }
    String f = format.replaceAll("\"[^\"]*\"", "").replaceAll("\\\\.", "").replaceAll("_.|\\*.", "")
        .replaceAll("\\[(?![hHmMsS]+\\])[^\\]]*\\]", "");
    return f.matches("(?s).*[dDmMyYhHsS].*");
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  static void write(OutputStream os, List<String> header, List<Map<String, String>> rows, @Nullable Guide guide)
      throws IOException {
    Workbook wb = new Workbook(os, "smc", "1.0");
    Worksheet ws = wb.newWorksheet("Tasks");
    for (int c = 0; c < header.size(); c++) {
      ws.value(0, c, header.get(c));
      ws.style(0, c).bold().format("@").set();
      ws.style(c).format("@").set(); // cells typed in later stay text: 24 is not turned into a number, 1-2 not into a date
      ws.width(c, Math.max(12, Math.min(40, header.get(c).length() + 4)));
    }
    ws.freezePane(0, 1);
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < header.size(); c++) {
        String v = rows.get(r).get(header.get(c));
        if (v != null && !v.isEmpty()) {
          ws.value(r + 1, c, v); // a string cell, never a number: the text comes back exactly
          ws.style(r + 1, c).format("@").set();
        }
      }
    }
    if (guide != null) {
      Worksheet g = wb.newWorksheet("Columns");
      String[] titles = {"column", "what it is", "allowed values", "example"};
      double[] widths = {16, 60, 50, 30};
      for (int c = 0; c < titles.length; c++) {
        g.value(0, c, titles[c]);
        g.style(0, c).bold().set();
        g.width(c, widths[c]);
      }
      for (int r = 0; r < guide.columns().size(); r++) {
        Guide.Column col = guide.columns().get(r);
        g.value(r + 1, 0, col.name());
        g.value(r + 1, 1, col.description());
        g.value(r + 1, 2, col.allowed());
        g.value(r + 1, 3, col.example());
        g.range(r + 1, 0, r + 1, 3).style().wrapText(true).format("@").set();
      }
    }
    wb.finish();
  }
}
