package dev.smc.scheduler;

import static dev.smc.TaskState.Expired;
import static dev.smc.TaskState.Finished;
import static dev.smc.TaskState.InError;
import static dev.smc.TaskState.Ready;
import static dev.smc.TaskState.Running;
import static dev.smc.TaskState.Stopped;
import static dev.smc.TaskState.Waiting;

import dev.smc.InvalidStateException;
import dev.smc.TaskState;
import java.util.EnumSet;
import java.util.Set;

/**
 * The task state machine of the SMC model as one table: every action, the states it is allowed
 * from, and the state it leads to. {@link Migrations} consults nothing else. {@code create} is not
 * here: it has no current state (it leads to Ready, or Running for run mode now). Immutable.
 */
public enum Action {
  /** Start or retry; continues the interrupted cycle. */
  START("start", EnumSet.of(Ready, Stopped, InError)),
  /** Pause: from Running only in business step Syncing (checked by {@link Migrations}), or from Waiting. */
  PAUSE("pause", EnumSet.of(Running, Waiting)),
  SCHEDULED_TIME("run at the scheduled time", EnumSet.of(Ready)),
  INTERVAL("run on the interval", EnumSet.of(Waiting)),
  SYNC("sync", EnumSet.of(Waiting)),
  /** Cut over: a final cycle (Running) or, without one, Finished at once. */
  CUTOVER("cut over", EnumSet.of(Waiting)),
  CYCLE_SUCCEEDS("complete a cycle", EnumSet.of(Running)),
  CYCLE_FAILS("fail a cycle", EnumSet.of(Running)),
  VALIDITY_ENDS("expire", EnumSet.of(Ready, Stopped, InError)),
  MODIFY_NAME("modify name or description", EnumSet.allOf(TaskState.class)),
  MODIFY_POLICY("modify interval or max images", EnumSet.of(Ready, Waiting)),
  /** Delete: passes through Deleting, then the task is gone. */
  DELETE("delete", EnumSet.complementOf(EnumSet.of(Running)));

  private final String verb;
  private final Set<TaskState> from;

  Action(String verb, Set<TaskState> from) {
    this.verb = verb;
    this.from = from;
  }

  /** The words used in messages, e.g. {@code cut over}. */
  public String verb() {
    return verb;
  }

  public boolean allowedFrom(TaskState state) {
    return from.contains(state);
  }

  /** The states this action is allowed from. */
  public Set<TaskState> from() {
    return EnumSet.copyOf(from);
  }

  /** Throws {@link InvalidStateException} naming the task, this action and the state unless allowed. */
  public void check(String task, TaskState state) {
    if (!allowedFrom(state)) {
      throw new InvalidStateException(task, verb, state);
    }
  }

  /**
   * The state this action leads to from {@code state}.
   *
   * @param incremental whether the task has a sync policy
   * @param last for CUTOVER whether a final cycle runs; for CYCLE_SUCCEEDS whether it was that final cycle
   * @throws InvalidStateException if not allowed from {@code state}
   */
  public TaskState next(String task, TaskState state, boolean incremental, boolean last) {
    check(task, state);
    return switch (this) {
      case START, SCHEDULED_TIME, INTERVAL, SYNC -> Running;
      case PAUSE -> Stopped;
      case CUTOVER -> last ? Running : Finished;
      case CYCLE_SUCCEEDS -> incremental && !last ? Waiting : Finished;
      case CYCLE_FAILS -> InError;
      case VALIDITY_ENDS -> Expired;
      case MODIFY_NAME, MODIFY_POLICY -> state;
      case DELETE -> TaskState.Deleting;
    };
  }
}
