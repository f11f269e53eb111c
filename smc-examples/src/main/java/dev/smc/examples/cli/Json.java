package dev.smc.examples.cli;

import java.util.List;
import java.util.Map;

/** A tiny JSON writer for reports (maps, lists, strings, numbers, booleans). */
final class Json {
  private Json() {}

  /** {@code v} indented, for one report. */
  static String of(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, 0, true);
    return sb.toString();
  }

  /** {@code v} on one line, for JSON Lines (a record a line). */
  static String line(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, 0, false);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, boolean pretty) {
    String nl = pretty ? "\n" : "";
    String pad = pretty ? "  " : "";
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (var e : m.entrySet()) {
        sb.append(first ? nl : "," + nl).append(pad.repeat(indent + 1));
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(pretty ? ": " : ":");
        write(sb, e.getValue(), indent + 1, pretty);
      }
      sb.append(first ? "}" : nl + pad.repeat(indent) + "}");
    } else if (v instanceof List<?> l) {
      sb.append('[');
      boolean first = true;
      for (Object o : l) {
        sb.append(first ? nl : "," + nl).append(pad.repeat(indent + 1));
        first = false;
        write(sb, o, indent + 1, pretty);
      }
      sb.append(first ? "]" : nl + pad.repeat(indent) + "]");
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      string(sb, v.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
