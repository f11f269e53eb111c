package dev.smc.scheduler;

import dev.smc.BusinessStep;
import dev.smc.ImageRef;
import dev.smc.Progress;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one migration task: what it was created with, where it is in its lifecycle, its
 * cycles, schedule, transit instance and owner. Immutable and thread-safe; ask
 * {@link Migrations#task} again for a newer one.
 *
 * @param id stable identity (a task can be renamed; its files and events use the id)
 * @param step the business step while {@link TaskState#Running}, else empty
 * @param progress the latest progress of the running (or last) cycle
 * @param cycles every cycle, oldest first
 * @param nextRun when the scheduler runs the task's next cycle: the run-at time while Ready, the
 *     interval's next tick while Waiting or Running; empty in every other state (a Stopped or InError
 *     task runs only when started again, and its interval then counts from that start), whatever
 *     the constructor is given
 * @param expires when validity ends (created + validity)
 * @param deleteAt for an Expired task, when it is deleted (7 days after expiry)
 * @param pinned images of this task pinned against retention
 * @param transit the id of the transit instance this task holds, if any
 * @param owner the process running the current cycle, while Running
 * @param cutover whether the running (or interrupted) cycle is the final cycle of a cut-over
 * @param error why the task is InError (for a crashed owner: {@code interrupted})
 */
public record MigrationTask(
    TaskId id,
    TaskSpec spec,
    TaskState state,
    Optional<BusinessStep> step,
    Optional<Progress> progress,
    List<CycleRecord> cycles,
    Optional<Instant> nextRun,
    Instant created,
    Instant expires,
    Optional<Instant> deleteAt,
    List<ImageRef> pinned,
    Optional<String> transit,
    Optional<Owner> owner,
    boolean cutover,
    Optional<String> error) {

  public MigrationTask {
    cycles = List.copyOf(cycles);
    nextRun = scheduled(state) ? nextRun : Optional.empty();
    pinned = List.copyOf(pinned);
  }

  /** The process that runs a task's cycle: its pid, its instance id and its last heartbeat (injected clock). */
  public record Owner(long pid, String instance, Instant heartbeat) {}

  /** Whether the scheduler runs a task in {@code state} by itself, when its next run comes. */
  private static boolean scheduled(TaskState state) {
    return state == TaskState.Ready || state == TaskState.Waiting || state == TaskState.Running;
  }

  public String name() {
    return spec.name();
  }

  /** The newest cycle record, if any. */
  public Optional<CycleRecord> lastCycle() {
    return cycles.isEmpty() ? Optional.empty() : Optional.of(cycles.get(cycles.size() - 1));
  }
}
