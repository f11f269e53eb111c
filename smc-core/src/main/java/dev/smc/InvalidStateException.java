package dev.smc;

/** An action was refused because of the task's current state. */
public class InvalidStateException extends SmcException {
  private static final long serialVersionUID = 1L;

  public InvalidStateException(String task, String action, TaskState state) {
    super(ErrorCode.INVALID_STATE, "task '" + task + "': cannot " + action + " while " + state);
  }
}
