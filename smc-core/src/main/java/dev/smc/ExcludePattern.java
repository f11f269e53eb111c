package dev.smc;

import dev.smc.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One exclude pattern as the seeds (and rsync) describe them, relative to the mount point, {@code /}
 * as separator:
 * <ul>
 *   <li>a trailing {@code /} matches folders only ({@code var/cache/});</li>
 *   <li>a pattern with a {@code /} elsewhere (or a leading one) is matched against the whole path
 *       from the root ({@code /var/lib/mysql}, {@code home/*}{@code /.cache});</li>
 *   <li>a pattern without {@code /} matches a name at any depth ({@code *.tmp}, {@code core});</li>
 *   <li>{@code *} matches within one name, {@code **} across folders, {@code ?} one character,
 *       {@code [a-z]} a class ({@code [!a-z]} its complement); a leading {@code **}{@code /} also
 *       matches no folder at all, as in rsync.</li>
 * </ul>
 * The one syntax check of excludes: {@link TaskSpec.Builder#build()} and the file engine's
 * {@code Excludes} both compile through {@link #parse}, so a pattern one refuses the other refuses
 * too. Patterns are written in UTF-8 and matched byte for byte against file-name bytes. Immutable
 * and thread-safe.
 */
public final class ExcludePattern {
  /** What a pattern may be, for messages. */
  public static final String ALLOWED = "a glob relative to the mount point, e.g. var/cache/ or *.tmp: * and ** ,"
      + " ? and [...] classes whose ranges go from low to high ([a-z], not [z-a])";

  private final String text;
  private final Pattern regex;
  private final boolean dirOnly;
  private final boolean anchored;

  private ExcludePattern(String text, Pattern regex, boolean dirOnly, boolean anchored) {
    this.text = text;
    this.regex = regex;
    this.dirOnly = dirOnly;
    this.anchored = anchored;
  }

  /**
   * Compiles one line: empty for a blank line or a {@code #} comment; throws
   * {@link InvalidSpecException} naming {@code field}, the line and {@link #ALLOWED} for one that is
   * no pattern (only {@code /}, or a class range like {@code [z-a]}).
   */
  public static Optional<ExcludePattern> parse(String field, String raw) {
    String p = raw.strip();
    if (p.isEmpty() || p.startsWith("#")) {
      return Optional.empty();
    }
    boolean dirOnly = p.endsWith("/");
    if (dirOnly) {
      p = p.substring(0, p.length() - 1);
    }
    boolean anchored = p.contains("/");
    String anyDepth = "";
    if (p.startsWith("/")) {
      p = p.substring(1);
    } else if (p.startsWith("**/")) {
      p = p.substring(3);
      anyDepth = "(?:.*/)?";
    }
    if (p.isEmpty()) {
      throw InvalidSpecException.of(field, raw, ALLOWED);
    }
    try {
      return Optional.of(new ExcludePattern(raw, Pattern.compile(anyDepth + toRegex(latin1(p)), Pattern.DOTALL),
          dirOnly, anchored));
    } catch (PatternSyntaxException e) {
      throw InvalidSpecException.of(field, raw, ALLOWED);
    }
  }

  /** Adds an error to {@code c} for each pattern of {@code patterns} that {@link #parse} refuses. */
  static void check(Checks c, String field, List<String> patterns) {
    for (String p : patterns) {
      try {
        parse(field, p);
      } catch (InvalidSpecException e) {
        e.errors().forEach(f -> c.add(f.field(), f.value(), f.allowed()));
      }
    }
  }

  /** The pattern as written. */
  public String text() {
    return text;
  }

  /**
   * Whether the entry at {@code path} (relative, no leading slash, file-name bytes) is excluded;
   * {@code directory} says whether it is a folder.
   */
  public boolean matches(byte[] path, boolean directory) {
    if (dirOnly && !directory) {
      return false;
    }
    String full = new String(path, StandardCharsets.ISO_8859_1);
    return regex.matcher(anchored ? full : full.substring(full.lastIndexOf('/') + 1)).matches();
  }

  @Override
  public String toString() {
    return text;
  }

  /** Patterns are written in UTF-8; paths are matched through Latin-1, which maps bytes 1:1. */
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
}
