package dev.smc.internal;

import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Collects every invalid field of one spec, then throws them together. Not thread-safe; one
 * instance per validation.
 */
public final class Checks {
  /** The task and image name alphabet of the model: starts with a letter; letters, digits, ':', '_', '-'. */
  public static final Pattern NAME = Pattern.compile("\\p{L}[\\p{L}\\p{N}:_-]*");
  /**
   * The image name alphabet: ASCII only, since an image name becomes part of object names, whose
   * segments allow {@code A-Za-z0-9._-} ({@code Backend.checkName}): an ASCII letter, then ASCII
   * letters, digits, '.', '_' and '-', so that a host name such as {@code web01.example.com} can be one.
   */
  public static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
  /** What {@link #imageName} allows, for messages. */
  public static final String IMAGE_NAME_ALLOWED = "2-128 characters, starting with a letter: ASCII letters A-Z a-z,"
      + " digits 0-9, '.', '_' or '-' (no spaces, no accented letters, no other signs)";

  private final List<FieldError> errors = new ArrayList<>();

  public Checks add(String field, @Nullable Object value, String allowed) {
    errors.add(new FieldError(field, value == null ? null : String.valueOf(value), allowed));
    return this;
  }

  /** Adds errors found elsewhere. */
  public Checks addAll(List<FieldError> more) {
    errors.addAll(more);
    return this;
  }

  public Checks range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      add(field, value, "allowed " + min + ".." + max);
    }
    return this;
  }

  public Checks range(String field, @Nullable Duration value, Duration min, Duration max, String allowed) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      add(field, value == null ? null : Durations.format(value), allowed);
    }
    return this;
  }

  public Checks require(String field, @Nullable Object value, String allowed) {
    if (value == null) {
      add(field, null, allowed);
    }
    return this;
  }

  /** Task and image names: 2-128 characters, starts with a letter, not a URL. */
  public Checks name(String field, @Nullable String value) {
    String allowed = "2-128 characters, starting with a letter, then letters, digits, ':', '_', '-';"
        + " not starting with http:// or https://";
    if (value == null || value.length() < 2 || value.length() > 128 || !NAME.matcher(value).matches()
        || value.startsWith("http://") || value.startsWith("https://")) {
      add(field, value, allowed);
    }
    return this;
  }

  /** Image names: 2-128 characters of {@link #IMAGE_NAME}, so that every object name made of them is valid. */
  public Checks imageName(String field, @Nullable String value) {
    if (value == null || value.length() < 2 || value.length() > 128 || !IMAGE_NAME.matcher(value).matches()) {
      add(field, value, IMAGE_NAME_ALLOWED);
    }
    return this;
  }

  public Checks maxLength(String field, @Nullable String value, int max) {
    if (value != null && value.length() > max) {
      add(field, value.length() > 40 ? value.substring(0, 37) + "..." : value, "at most " + max + " characters");
    }
    return this;
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  public List<FieldError> errors() {
    return List.copyOf(errors);
  }

  /** Throws {@link InvalidSpecException} naming every collected error, if any. */
  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new InvalidSpecException(errors);
    }
  }
}
