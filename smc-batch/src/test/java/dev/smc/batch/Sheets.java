package dev.smc.batch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link Sheet}s in code, as a reader would give them: rows numbered from 2, empty cells left out. */
final class Sheets {
  private Sheets() {}

  static final List<String> HEADER = List.of("name", "source", "image-name", "incremental", "interval",
      "max-images", "run", "valid-days", "compress", "bwlimit", "checksum", "exclude", "tag", "description",
      "client-token");

  /** A sheet with {@code header}; each row gives its cells in header order, "" for an empty cell. */
  static Sheet of(List<String> header, List<List<String>> rows) {
    List<Sheet.Row> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      List<String> r = rows.get(i);
      Map<String, String> cells = new HashMap<>();
      for (int c = 0; c < r.size(); c++) {
        if (!r.get(c).isEmpty()) {
          cells.put(header.get(c), r.get(c).trim());
        }
      }
      out.add(new Sheet.Row(i + 2, cells));
    }
    return new Sheet(header, out);
  }

  /** A sheet with the full header and rows given as column-to-text maps. */
  static Sheet rows(List<Map<String, String>> rows) {
    List<List<String>> out = new ArrayList<>();
    for (Map<String, String> r : rows) {
      List<String> cells = new ArrayList<>();
      HEADER.forEach(h -> cells.add(r.getOrDefault(h, "")));
      out.add(cells);
    }
    return of(HEADER, out);
  }

  /** The text of a CSV file (RFC 4180 quoting, first line the header) as a sheet; for test files only. */
  static Sheet csv(String text) {
    List<List<String>> lines = new ArrayList<>();
    List<String> line = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        line.add(cell.toString());
        cell.setLength(0);
      } else if (ch == '\n') {
        line.add(cell.toString().replace("\r", ""));
        cell.setLength(0);
        lines.add(line);
        line = new ArrayList<>();
      } else {
        cell.append(ch);
      }
    }
    if (cell.length() > 0 || !line.isEmpty()) {
      line.add(cell.toString());
      lines.add(line);
    }
    List<String> header = lines.get(0).stream().map(String::trim).toList();
    return of(header, lines.subList(1, lines.size()));
  }
}
