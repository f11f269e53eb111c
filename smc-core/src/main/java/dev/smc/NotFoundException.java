package dev.smc;

/** A task, image or stored object does not exist. */
public class NotFoundException extends SmcException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }
}
