package dev.smc.transfer.files;

import dev.smc.InvalidSpecException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Exclude patterns as the seeds (and rsync) describe them: one per line, relative to the mount
 * point, {@code /} as separator.
 * <ul>
 *   <li>a trailing {@code /} matches folders only ({@code var/cache/});</li>
 *   <li>a pattern with a {@code /} elsewhere (or a leading one) is matched against the whole path
 *       from the root ({@code /var/lib/mysql}, {@code home/*}{@code /.cache});</li>
 *   <li>a pattern without {@code /} matches a name at any depth ({@code *.tmp}, {@code core});</li>
 *   <li>{@code *} matches within one name, {@code **} across folders, {@code ?} one character,
 *       {@code [a-z]} a class; a leading {@code **}{@code /} also matches no folder at all
 *       ({@code **}{@code /node_modules/} excludes a top-level {@code node_modules} too), as in rsync.</li>
 * </ul>
 * An excluded folder is not descended into. Immutable and thread-safe.
 */
public final class Excludes {
  public static final Excludes NONE = new Excludes(List.of());

  private record Rule(String text, Pattern pattern, boolean dirOnly, boolean anchored) {}

  private final List<Rule> rules;

  private Excludes(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Compiles patterns; blank lines and lines starting with {@code #} are skipped. */
  public static Excludes of(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      boolean dirOnly = p.endsWith("/");
      if (dirOnly) {
        p = p.substring(0, p.length() - 1);
      }
      boolean anchored = p.contains("/");
      // as in rsync, a leading "**/" also matches at the top (no folder), unless the pattern starts with "/"
      String anyDepth = "";
      if (p.startsWith("/")) {
        p = p.substring(1);
      } else if (p.startsWith("**/")) {
        p = p.substring(3);
        anyDepth = "(?:.*/)?";
      }
      if (p.isEmpty()) {
        throw InvalidSpecException.of("exclude", raw, "a path relative to the mount point, e.g. var/cache/ or *.tmp");
      }
      try {
        rules.add(new Rule(raw, Pattern.compile(anyDepth + toRegex(latin1(p)), Pattern.DOTALL), dirOnly, anchored));
      } catch (PatternSyntaxException e) {
        throw InvalidSpecException.of("exclude", raw, "a glob with *, **, ? and [...] classes");
      }
    }
    return new Excludes(rules);
  }

  /** Patterns are written in UTF-8; paths are matched byte for byte through Latin-1, which maps bytes 1:1. */
  private static String latin1(String utf8) {
    return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static String toRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            sb.append(".*");
            i++;
          } else {
            sb.append("[^/]*");
          }
        }
        case '?' -> sb.append("[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 2);
          if (end < 0) {
            sb.append("\\[");
          } else {
            String cls = glob.substring(i + 1, end);
            if (cls.startsWith("!")) {
              cls = "^" + cls.substring(1);
            }
            sb.append('[').append(cls.replace("\\", "\\\\")).append(']');
            i = end;
          }
        }
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return sb.toString();
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether the entry at {@code path} (relative, no leading slash) is excluded. */
  public boolean excludes(byte[] path, boolean directory) {
    if (rules.isEmpty() || path.length == 0) {
      return false;
    }
    String full = new String(path, StandardCharsets.ISO_8859_1);
    String name = full.substring(full.lastIndexOf('/') + 1);
    for (Rule r : rules) {
      if (r.dirOnly && !directory) {
        continue;
      }
      if (r.pattern.matcher(r.anchored ? full : name).matches()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return rules.stream().map(Rule::text).toList().toString();
  }
}
