package dev.smc.scheduler.internal;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.scheduler.spi.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One cycle of a scheduler, from queued to ended: it holds its task's store lock, and carries the
 * pause and shutdown requests and the latest progress between the {@link CycleRunner}, the cycle's
 * thread and callers that wait for it. Thread-safe.
 */
public final class Cycle {
  final TaskId id;
  final String name;
  final TaskStore.Lock taskLock;
  final boolean cutover;
  final CompletableFuture<Void> done = new CompletableFuture<>();
  volatile Thread thread;
  volatile boolean pause;
  volatile boolean shutdown;
  volatile Progress progress;
  /** When this run of the cycle began executing (the clock's), or null while queued. */
  volatile Instant started;

  Cycle(TaskId id, String name, TaskStore.Lock taskLock, boolean cutover) {
    this.id = id;
    this.name = name;
    this.taskLock = taskLock;
    this.cutover = cutover;
  }

  public TaskId id() {
    return id;
  }

  /** Interrupts the cycle; it ends as Cancelled and its task becomes Stopped. */
  public void pause() {
    pause = true;
    Thread th = thread;
    if (th != null) {
      th.interrupt();
    }
  }

  /** Waits at most {@code timeout} for the cycle to end; its task's state tells how it ended. */
  public void await(Duration timeout) {
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmcException(ErrorCode.CANCELLED, "interrupted while waiting for task " + id, e);
    } catch (ExecutionException | TimeoutException e) {
      // the state of the task tells
    }
  }

  /** A listener for the engine that keeps the latest progress and forwards every event under this task's id. */
  /** Forwards to {@code to}; pauses the cycle when {@code pauseRequested} says so on a progress event. */
  MigrationListener listener(MigrationListener to, java.util.function.BooleanSupplier pauseRequested) {
    return new Forwarding(this, to, pauseRequested);
  }

  /** Forwards the engine's events under the task's id, and keeps the latest progress. */
  private static final class Forwarding implements MigrationListener {
    private final Cycle c;
    private final MigrationListener listener;
    private final java.util.function.BooleanSupplier pauseRequested;

    Forwarding(Cycle c, MigrationListener listener, java.util.function.BooleanSupplier pauseRequested) {
      this.c = c;
      this.listener = listener;
      this.pauseRequested = pauseRequested;
    }

    @Override
    public void cycleStarted(TaskId task, int cycle, CycleType type) {
      TaskJournal.safe(() -> listener.cycleStarted(c.id, cycle, type));
    }

    @Override
    public void progress(TaskId task, Progress progress) {
      c.progress = progress;
      if (pauseRequested.getAsBoolean()) {
        c.pause();
      }
      TaskJournal.safe(() -> listener.progress(c.id, progress));
    }

    @Override
    public void cycleFinished(TaskId task, int cycle, CycleReport report) {
      TaskJournal.safe(() -> listener.cycleFinished(c.id, cycle, report));
    }

    @Override
    public void cycleFailed(TaskId task, int cycle, SmcException cause) {
      TaskJournal.safe(() -> listener.cycleFailed(c.id, cycle, cause));
    }
  }
}
