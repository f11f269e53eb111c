package dev.smc.scheduler.internal;

import dev.smc.BusinessStep;
import dev.smc.ImageRef;
import dev.smc.Progress;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/** A task being changed: the mutable twin of {@link MigrationTask}. Not thread-safe; one per change. */
public final class Draft {
  public final TaskId id;
  public TaskSpec spec;
  public TaskState state;
  @Nullable public BusinessStep step;
  @Nullable public Progress progress;
  public final List<CycleRecord> cycles;
  @Nullable public Instant nextRun;
  public final Instant created;
  public Instant expires;
  @Nullable public Instant deleteAt;
  public final List<ImageRef> pinned;
  @Nullable public String transit;
  @Nullable public MigrationTask.Owner owner;
  public boolean cutover;
  @Nullable public String error;

  public Draft(MigrationTask t) {
    id = t.id();
    spec = t.spec();
    state = t.state();
    step = t.step().orElse(null);
    progress = t.progress().orElse(null);
    cycles = new ArrayList<>(t.cycles());
    nextRun = t.nextRun().orElse(null);
    created = t.created();
    expires = t.expires();
    deleteAt = t.deleteAt().orElse(null);
    pinned = new ArrayList<>(t.pinned());
    transit = t.transit().orElse(null);
    owner = t.owner().orElse(null);
    cutover = t.cutover();
    error = t.error().orElse(null);
  }

  /** A new Ready task; it expires on a whole second, as tables and logs show it. */
  public static Draft created(TaskId id, TaskSpec spec, Instant now) {
    Instant expires = now.plus(spec.validity()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return new Draft(new MigrationTask(id, spec, TaskState.Ready, Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), now, expires, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), false,
        Optional.empty()));
  }

  /** The last cycle record, if any. */
  public Optional<CycleRecord> last() {
    return cycles.isEmpty() ? Optional.empty() : Optional.of(cycles.get(cycles.size() - 1));
  }

  /** Replaces the last cycle record. */
  public void setLast(CycleRecord r) {
    cycles.set(cycles.size() - 1, r);
  }

  public MigrationTask build() {
    return new MigrationTask(id, spec, state, Optional.ofNullable(step), Optional.ofNullable(progress), cycles,
        Optional.ofNullable(nextRun), created, expires, Optional.ofNullable(deleteAt), pinned,
        Optional.ofNullable(transit), Optional.ofNullable(owner), cutover, Optional.ofNullable(error));
  }
}
