package dev.smc;

import java.util.List;
import java.util.stream.Collectors;

/** Every invalid field of a spec or a command, reported at once. */
public class InvalidSpecException extends SmcException {
  private static final long serialVersionUID = 1L;
  private final List<FieldError> errors;

  public InvalidSpecException(List<FieldError> errors) {
    super(ErrorCode.INVALID_SPEC, errors.stream().map(FieldError::toString)
        .collect(Collectors.joining("; ", "invalid: ", "")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("errors is empty");
    }
    this.errors = List.copyOf(errors);
  }

  public static InvalidSpecException of(String field, Object value, String allowed) {
    return new InvalidSpecException(List.of(new FieldError(field, String.valueOf(value), allowed)));
  }

  public List<FieldError> errors() {
    return errors;
  }
}
