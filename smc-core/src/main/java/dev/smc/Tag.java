package dev.smc;

import dev.smc.internal.Checks;

/** A task tag. Key 1-128 characters, not starting with aliyun, acs:, http:// or https://; value 0-128. */
public record Tag(String key, String value) {
  public Tag {
    Checks c = new Checks();
    validate(c, "tag", key, value);
    c.throwIfAny();
  }

  static void validate(Checks c, String field, String key, String value) {
    if (key == null || key.isEmpty() || key.length() > 128 || key.startsWith("aliyun") || key.startsWith("acs:")
        || key.startsWith("http://") || key.startsWith("https://")) {
      c.add(field + ".key", key, "1-128 characters, not starting with aliyun, acs:, http:// or https://");
    }
    if (value == null || value.length() > 128) {
      c.add(field + ".value", value, "0-128 characters");
    }
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }
}
