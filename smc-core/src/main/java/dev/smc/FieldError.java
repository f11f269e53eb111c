package dev.smc;

import javax.annotation.Nullable;

/**
 * One invalid field: its name, the value given (rendered as text, never a secret) and what is
 * allowed, for example {@code maxImages = 11: allowed 1..10}.
 */
public record FieldError(String field, @Nullable String value, String allowed) {
  @Override
  public String toString() {
    return field + " = " + (value == null ? "(missing)" : "'" + value + "'") + ": " + allowed;
  }
}
