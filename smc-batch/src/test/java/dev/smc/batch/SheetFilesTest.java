package dev.smc.batch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SheetFilesTest {
  @TempDir Path dir;

  private static final List<String> HEADER = TaskColumns.names();

  private static List<Map<String, String>> tricky() {
    Map<String, String> a = new LinkedHashMap<>(TaskColumns.exampleRow());
    Map<String, String> b = new LinkedHashMap<>();
    b.put("name", "迁移-02");
    b.put("source", "/srv/data, old");
    b.put("exclude", "/tmp/*;*.log;\"quoted\"");
    b.put("tag", "env=prod;owner=李");
    b.put("description", "line one\nline two, with \"quotes\"");
    b.put("max-images", "10");
    return List.of(a, b);
  }

  private static void assertRoundTrip(Path file) throws IOException {
    SheetFiles.write(file, HEADER, tricky(), TaskColumns.guide());
    ReadResult r = SheetFiles.read(file, Limits.DEFAULTS);
    assertEquals(List.of(), r.problems());
    assertEquals(HEADER, r.sheet().header());
    assertEquals(2, r.sheet().rows().size());
    assertEquals(2, r.sheet().rows().get(0).number());
    assertEquals(3, r.sheet().rows().get(1).number());
    assertEquals(TaskColumns.exampleRow(), r.sheet().rows().get(0).cells());
    assertEquals(tricky().get(1), r.sheet().rows().get(1).cells());
  }

  @Test
  void xlsxRoundTripsListsQuotesCommasNewlinesAndNonAscii() throws IOException {
    assertRoundTrip(dir.resolve("tasks.xlsx"));
  }

  @Test
  void csvRoundTripsListsQuotesCommasNewlinesAndNonAscii() throws IOException {
    Path f = dir.resolve("tasks.CSV");
    assertRoundTrip(f);
    byte[] bytes = Files.readAllBytes(f);
    assertEquals(List.of((byte) 0xEF, (byte) 0xBB, (byte) 0xBF), List.of(bytes[0], bytes[1], bytes[2]));
  }

  @Test
  void xlsxTemplateHasBoldHeaderAndAColumnsGuideSheet() throws IOException {
    Path f = dir.resolve("template.xlsx");
    SheetFiles.write(f, HEADER, List.of(TaskColumns.exampleRow()), TaskColumns.guide());
    try (ReadableWorkbook wb = new ReadableWorkbook(f.toFile())) {
      var guide = wb.findSheet("Columns").orElseThrow().read();
      assertEquals(18, guide.size()); // a header and the 17 columns
      assertEquals("interval", guide.get(5).getCellText(0));
      assertTrue(guide.get(5).getCellText(2).contains("1h..168h"));
    }
    assertTrue(new String(unzipped(f, "xl/styles.xml"), UTF_8).contains("<b"), "a bold font is defined");
  }

  @Test
  void writeReplacesTheFileAndLeavesNoTempFile() throws IOException {
    Path f = dir.resolve("out.csv");
    Files.writeString(f, "old");
    SheetFiles.write(f, List.of("name"), List.of(Map.of("name", "a")), null);
    assertEquals("\uFEFFname\r\na\r\n", Files.readString(f));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList());
    }
  }

  @Test
  void writeRefusesAColumnNotInTheHeader() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SheetFiles.write(dir.resolve("x.csv"), List.of("name"), List.of(Map.of("nmae", "a")), null));
    assertTrue(e.getMessage().contains("'nmae'"), e.getMessage());
  }

  @Test
  void csvWithoutBomWithLfAndWithBomWithCrlfReadTheSame() throws IOException {
    Path lf = dir.resolve("lf.csv");
    Files.writeString(lf, "name,tag\n\nweb-01,a=1;b=2\n  ,  \n\"db,01\",\"x=\"\"y\"\"\"\n");
    Path crlf = dir.resolve("crlf.csv");
    Files.write(crlf, ("\uFEFFname,tag\r\n\r\nweb-01,a=1;b=2\r\n  ,  \r\n\"db,01\",\"x=\"\"y\"\"\"").getBytes(UTF_8));
    for (Path f : List.of(lf, crlf)) {
      Sheet s = SheetFiles.read(f, Limits.DEFAULTS).sheet();
      assertEquals(List.of("name", "tag"), s.header(), f.toString());
      assertEquals(List.of(3, 5), s.rows().stream().map(Sheet.Row::number).toList());
      assertEquals(Map.of("name", "db,01", "tag", "x=\"y\""), s.rows().get(1).cells());
    }
  }

  @Test
  void csvRowNumbersCountRecordsNotLinesInsideQuotes() throws IOException {
    Path f = dir.resolve("multi.csv");
    Files.writeString(f, "name,description\r\na,\"one\r\ntwo\"\r\nb,x\r\n");
    Sheet s = SheetFiles.read(f, Limits.DEFAULTS).sheet();
    assertEquals("one\ntwo", s.rows().get(0).cells().get("description"));
    assertEquals(3, s.rows().get(1).number());
  }

  @Test
  void csvMalformedQuoteNamesTheRow() throws IOException {
    Path open = dir.resolve("open.csv");
    Files.writeString(open, "name\nok\n\"never closed\nmore\n");
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(open, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("never closed"), e.getMessage());
    Path stray = dir.resolve("stray.csv");
    Files.writeString(stray, "name,d\nok,6\" disk\n");
    e = assertThrows(SheetException.class, () -> SheetFiles.read(stray, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("row 2, column B"), e.getMessage());
  }

  @Test
  void csvInvalidUtf8IsRefusedNamingTheOffset() throws IOException {
    Path f = dir.resolve("latin1.csv");
    Files.write(f, "name\ncaf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("not UTF-8") && e.getMessage().contains("0xE9")
        && e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void valueUnderAColumnWithoutANameIsAProblem() throws IOException {
    Path f = dir.resolve("extra.csv");
    Files.writeString(f, "name,,\nweb,,stray\n");
    ReadResult r = SheetFiles.read(f, Limits.DEFAULTS);
    assertEquals(List.of("name"), r.sheet().header());
    assertEquals(List.of(new Problem(2, "C", "stray", r.problems().get(0).reason())), r.problems());
  }

  @Test
  void duplicateHeaderIsRefused() throws IOException {
    Path f = dir.resolve("dup.csv");
    Files.writeString(f, "name,tag,name\n");
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("'name' twice, in A and C"), e.getMessage());
  }

  // ---- hostile and broken files

  @Test
  void unknownExtensionNamesTheAllowedOnes() throws IOException {
    Path f = dir.resolve("tasks.xls");
    Files.writeString(f, "x");
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("tasks.xls") && e.getMessage().contains(".xlsx or .csv"), e.getMessage());
    assertThrows(SheetException.class, () -> SheetFiles.write(dir.resolve("t.ods"), HEADER, List.of(), null));
  }

  @Test
  void fileOverTheSizeLimitIsRefusedBeforeReading() throws IOException {
    Path f = dir.resolve("big.csv");
    Files.write(f, new byte[2048]);
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS.withMaxFileBytes(1024)));
    assertTrue(e.getMessage().contains("2048 bytes") && e.getMessage().contains("maxFileBytes"), e.getMessage());
  }

  @Test
  void tooManyRowsIsRefusedInBothFormats() throws IOException {
    List<Map<String, String>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(Map.of("name", "t" + i));
    }
    for (String ext : List.of("csv", "xlsx")) {
      Path f = dir.resolve("rows." + ext);
      SheetFiles.write(f, List.of("name"), rows, null);
      var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS.withMaxRows(5)));
      assertTrue(e.getMessage().contains("more than 5 data rows (maxRows); row 7"), e.getMessage());
    }
  }

  @Test
  void tooManyColumnsAndTooLongCellsAreRefused() throws IOException {
    Path wide = dir.resolve("wide.csv");
    Files.writeString(wide, "a,b,c\n1,2,3,4\n");
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(wide, Limits.DEFAULTS.withMaxColumns(3)));
    assertTrue(e.getMessage().contains("row 2 has a value in column 4 (D)") && e.getMessage().contains("maxColumns"),
        e.getMessage());
    Path commas = dir.resolve("commas.csv");
    Files.writeString(commas, "a" + ",".repeat(1_000_000) + "\n");
    assertEquals(List.of("a"), SheetFiles.read(commas, Limits.DEFAULTS).sheet().header());
    Path longCell = dir.resolve("long.xlsx");
    SheetFiles.write(longCell, List.of("name"), List.of(Map.of("name", "x".repeat(5000))), null);
    e = assertThrows(SheetException.class, () -> SheetFiles.read(longCell, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("5000 characters") && e.getMessage().contains("maxCellChars"), e.getMessage());
  }

  @Test
  void zipBombIsRefusedFromItsDirectoryWithoutInflating() throws IOException {
    Path f = dir.resolve("bomb.xlsx");
    writeXlsxShapedZip(f, 64L << 20, true);
    assertTrue(Files.size(f) < 1 << 20, "a small file: " + Files.size(f));
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("maxUnzippedBytes") || e.getMessage().contains("maxCompressionRatio"),
        e.getMessage());
  }

  @Test
  void zipBombWhoseDirectoryLiesIsCaughtWhileInflating() throws IOException {
    Path f = dir.resolve("liar.xlsx");
    writeXlsxShapedZip(f, 64L << 20, false);
    var e = assertThrows(SheetException.class,
        () -> SheetFiles.read(f, Limits.DEFAULTS.withMaxCompressionRatio(Integer.MAX_VALUE)));
    assertTrue(e.getMessage().contains("inflates to more than " + (50L << 20)), e.getMessage());
  }

  @Test
  void compressionRatioOverTheLimitIsRefused() throws IOException {
    Path f = dir.resolve("ratio.xlsx");
    writeXlsxShapedZip(f, 8L << 20, true);
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("maxCompressionRatio") && e.getMessage().contains("xl/worksheets/sheet1.xml"),
        e.getMessage());
  }

  @Test
  void cellReferencePastTheLastColumnIsRefusedBeforeTheReaderSizesARowByIt() throws IOException {
    Path good = dir.resolve("good.xlsx");
    SheetFiles.write(good, List.of("name"), List.of(Map.of("name", "web-01")), null);
    Path f = dir.resolve("farcolumn.xlsx");
    try (var zip = new java.util.zip.ZipFile(good.toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(f))) {
      for (var en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        byte[] b = zip.getInputStream(e).readAllBytes();
        if (e.getName().equals("xl/worksheets/sheet1.xml")) {
          b = new String(b, UTF_8).replace("r=\"A2\"", "r=\"FXSHRXW2\"").getBytes(UTF_8);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("cell reference 'FXSHRXW2'"), e.getMessage());
  }

  @Test
  void randomBytesNamedXlsxAreNotAValidXlsx() throws IOException {
    Path f = dir.resolve("random.xlsx");
    byte[] b = new byte[4096];
    new Random(6).nextBytes(b);
    Files.write(f, b);
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("not a valid .xlsx: not a zip"), e.getMessage());
  }

  @Test
  void truncatedXlsxIsNotAValidXlsx() throws IOException {
    Path whole = dir.resolve("whole.xlsx");
    SheetFiles.write(whole, HEADER, tricky(), TaskColumns.guide());
    byte[] b = Files.readAllBytes(whole);
    Path f = dir.resolve("cut.xlsx");
    Files.write(f, Arrays.copyOf(b, b.length / 2));
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("not a valid .xlsx"), e.getMessage());
  }

  @Test
  void zipWithoutWorkbookPartsIsNotAValidXlsx() throws IOException {
    Path f = dir.resolve("plain.xlsx");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
      z.putNextEntry(new ZipEntry("hello.txt"));
      z.write("hi".getBytes(UTF_8));
    }
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(f, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("not a valid .xlsx"), e.getMessage());
  }

  @Test
  void emptyFileAndEmptySheetHaveNoHeaderRow() throws IOException {
    Path empty = dir.resolve("empty.csv");
    Files.write(empty, new byte[0]);
    var e = assertThrows(SheetException.class, () -> SheetFiles.read(empty, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    Path blank = dir.resolve("blank.csv");
    Files.writeString(blank, "\uFEFF\r\n , \r\n");
    e = assertThrows(SheetException.class, () -> SheetFiles.read(blank, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("no header row"), e.getMessage());
    Path sheet = dir.resolve("empty.xlsx");
    try (OutputStream os = Files.newOutputStream(sheet); Workbook wb = new Workbook(os, "test", "1.0")) {
      wb.newWorksheet("Tasks");
    }
    e = assertThrows(SheetException.class, () -> SheetFiles.read(sheet, Limits.DEFAULTS));
    assertTrue(e.getMessage().contains("no header row"), e.getMessage());
  }

  @Test
  void formulaDateAndErrorCellsAreProblemsNamingRowAndColumn() throws IOException {
    Path f = dir.resolve("typed.xlsx");
    try (OutputStream os = Files.newOutputStream(f); Workbook wb = new Workbook(os, "test", "1.0")) {
      Worksheet ws = wb.newWorksheet("Tasks");
      ws.value(0, 0, "name");
      ws.value(0, 1, "max-images");
      ws.value(0, 2, "run");
      ws.value(0, 3, "checksum");
      ws.value(0, 4, "bwlimit");
      ws.value(1, 0, "web-01");
      ws.formula(1, 1, "=1+2");
      ws.value(1, 2, LocalDate.of(2026, 12, 1));
      ws.style(1, 2).format("yyyy-mm-dd").set();
      ws.value(1, 3, true);
      ws.value(1, 4, 10240.0);
      ws.value(2, 0, "web-02");
      ws.value(2, 1, 24);
      ws.value(2, 4, 1.5e20);
    }
    ReadResult r = SheetFiles.read(f, Limits.DEFAULTS);
    assertEquals(Map.of("name", "web-01", "checksum", "true", "bwlimit", "10240"), r.sheet().rows().get(0).cells());
    assertEquals(Map.of("name", "web-02", "max-images", "24", "bwlimit", "150000000000000000000"),
        r.sheet().rows().get(1).cells());
    assertEquals(2, r.problems().size(), r.problems().toString());
    Problem formula = r.problems().get(0);
    assertEquals(List.of(2, "max-images", "=1+2"), List.of(formula.row(), formula.column(), formula.value()));
    assertTrue(formula.reason().contains("a formula; type the value"), formula.reason());
    Problem date = r.problems().get(1);
    assertEquals(List.of(2, "run"), List.of(date.row(), date.column()));
    assertTrue(date.reason().contains("a date; type the number"), date.reason());
  }

  @Test
  void dateFormatsAreToldFromNumberFormats() {
    assertTrue(XlsxFormat.isDateFormat(14, null));
    assertTrue(XlsxFormat.isDateFormat(165, "yyyy-mm-dd"));
    assertTrue(XlsxFormat.isDateFormat(166, "[$-409]h:mm AM/PM"));
    assertTrue(XlsxFormat.isDateFormat(167, "[h]:mm"));
    assertTrue(!XlsxFormat.isDateFormat(0, "General"));
    assertTrue(!XlsxFormat.isDateFormat(168, "#,##0.00\" days\""));
    assertTrue(!XlsxFormat.isDateFormat(169, "[Red]0.00"));
    assertTrue(!XlsxFormat.isDateFormat(49, "@"));
  }

  // ---- helpers

  /** An .xlsx-shaped zip whose sheet is {@code inflated} bytes of spaces; {@code honest}: sizes in the directory. */
  private static void writeXlsxShapedZip(Path f, long inflated, boolean honest) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
      z.setLevel(9);
      put(z, "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
          + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument"
          + ".spreadsheetml.sheet.main+xml\"/></Types>");
      put(z, "xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
          + "<sheets><sheet name=\"Tasks\" sheetId=\"1\" r:id=\"rId1\" xmlns:r=\"http://schemas.openxmlformats.org"
          + "/officeDocument/2006/relationships\"/></sheets></workbook>");
      z.putNextEntry(new ZipEntry("xl/worksheets/sheet1.xml"));
      z.write("<worksheet><sheetData>".getBytes(UTF_8));
      byte[] spaces = new byte[1 << 20];
      Arrays.fill(spaces, (byte) ' ');
      for (long n = 0; n < inflated; n += spaces.length) {
        z.write(spaces);
      }
      z.write("</sheetData></worksheet>".getBytes(UTF_8));
      z.closeEntry();
    }
    if (!honest) {
      zeroCentralDirectorySizes(f);
    }
  }

  private static void put(ZipOutputStream z, String name, String text) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(text.getBytes(UTF_8));
    z.closeEntry();
  }

  /** Rewrites every central-directory entry to declare an uncompressed size of 1 byte. */
  private static void zeroCentralDirectorySizes(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    for (int i = 0; i + 46 <= b.length; i++) {
      if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 1 && b[i + 3] == 2) {
        b[i + 24] = 1;
        b[i + 25] = 0;
        b[i + 26] = 0;
        b[i + 27] = 0;
      }
    }
    Files.write(f, b);
  }

  private static byte[] unzipped(Path f, String entry) throws IOException {
    try (var zip = new java.util.zip.ZipFile(f.toFile())) {
      return zip.getInputStream(zip.getEntry(entry)).readAllBytes();
    }
  }
}
