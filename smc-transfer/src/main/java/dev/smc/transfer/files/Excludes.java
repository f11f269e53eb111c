package dev.smc.transfer.files;

import dev.smc.ExcludePattern;
import dev.smc.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of exclude patterns ({@link ExcludePattern}: one per line, relative to the mount point,
 * {@code /} as separator; a trailing {@code /} matches folders only; with a {@code /} elsewhere the
 * whole path is matched, without one a name at any depth; {@code *}, {@code **}, {@code ?},
 * {@code [a-z]}). The syntax is {@link ExcludePattern}'s, the one {@code TaskSpec} checks too. An
 * excluded folder is not descended into. Immutable and thread-safe.
 */
public final class Excludes {
  public static final Excludes NONE = new Excludes(List.of());

  private final List<ExcludePattern> rules;

  private Excludes(List<ExcludePattern> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * Compiles patterns; blank lines and lines starting with {@code #} are skipped.
   *
   * @throws InvalidSpecException naming the field {@code excludes} and the first bad pattern
   */
  public static Excludes of(List<String> patterns) {
    List<ExcludePattern> rules = new ArrayList<>();
    for (String raw : patterns) {
      ExcludePattern.parse("excludes", raw).ifPresent(rules::add);
    }
    return new Excludes(rules);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether the entry at {@code path} (relative, no leading slash) is excluded. */
  public boolean excludes(byte[] path, boolean directory) {
    if (rules.isEmpty() || path.length == 0) {
      return false;
    }
    for (ExcludePattern r : rules) {
      if (r.matches(path, directory)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return rules.stream().map(ExcludePattern::text).toList().toString();
  }
}
