package dev.smc;

import dev.smc.internal.Checks;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image of a cycle, written {@code <name>-CYCLE_<n>}. The name follows {@link #checkName}: ASCII
 * only, since it becomes part of object names. Immutable.
 */
public record ImageRef(String name, int cycle) implements Comparable<ImageRef> {
  private static final Pattern FORM = Pattern.compile("(.+)-CYCLE_([1-9][0-9]{0,8})");

  public ImageRef {
    Checks c = new Checks();
    c.imageName("imageName", name);
    c.range("cycle", cycle, 1, Integer.MAX_VALUE);
    c.throwIfAny();
  }

  /**
   * Returns {@code name} if it can name images (2-128 characters: an ASCII letter, then ASCII
   * letters, digits, '.', '_' or '-'); else throws {@link InvalidSpecException} naming the field
   * {@code imageName}, the value and what is allowed. A writer calls it before it stores anything.
   */
  public static String checkName(String name) {
    return checkName("imageName", name);
  }

  /** As {@link #checkName(String)}, naming {@code field} (e.g. a command-line option) in the error. */
  public static String checkName(String field, String name) {
    new Checks().imageName(field, name).throwIfAny();
    return name;
  }

  /** What an image name may be, for messages. */
  public static final String NAME_ALLOWED = Checks.IMAGE_NAME_ALLOWED;

  /** Parses {@code NAME-CYCLE_N}; throws {@link InvalidSpecException} naming the field and the form. */
  public static ImageRef parse(String field, String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw InvalidSpecException.of(field, text, "an image like NAME-CYCLE_3");
    }
    return new ImageRef(m.group(1), Integer.parseInt(m.group(2)));
  }

  @Override
  public int compareTo(ImageRef o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : Integer.compare(cycle, o.cycle);
  }

  @Override
  public String toString() {
    return name + "-CYCLE_" + cycle;
  }
}
