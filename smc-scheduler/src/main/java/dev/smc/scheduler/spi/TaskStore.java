package dev.smc.scheduler.spi;

import dev.smc.TaskId;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where tasks, their cycle records and their logs survive a restart. The scheduler reads a task,
 * changes it and {@link #put}s it whole; {@code put} must be atomic (a reader, also after a crash,
 * sees the old or the new task, never a mix). Several processes may share one store: the scheduler
 * runs a task's cycle only while it holds that task's {@link #tryLock lock}, and treats a Running
 * task whose lock it can take as abandoned by a dead owner. Tasks created together are recorded
 * first as a {@link BatchIntent}, so that a crash leaves all of a batch or none. Implementations are
 * thread-safe.
 */
public interface TaskStore extends Closeable {
  /** Every stored task, in no particular order. */
  List<MigrationTask> tasks() throws IOException;

  Optional<MigrationTask> task(TaskId id) throws IOException;

  /** Stores the task, replacing any earlier version, atomically and durably. */
  void put(MigrationTask task) throws IOException;

  /** Removes a task and its log; removing a missing task is not an error. */
  void remove(TaskId id) throws IOException;

  /** Appends one event to the task's log, durably. */
  void appendLog(TaskId id, LogEntry entry) throws IOException;

  /** The task's log, oldest first; empty for a task without one. */
  List<LogEntry> log(TaskId id) throws IOException;

  /**
   * Takes the task's exclusive lock if no holder (in this or any other process) has it. A lock is
   * released by {@link Lock#close()} or when its process dies, however it dies.
   */
  Optional<Lock> tryLock(TaskId id) throws IOException;

  /**
   * Asks whoever runs the task's cycle, in this or another process, to pause it: the runner takes
   * the request with {@link #takePauseRequest} while its cycle syncs.
   */
  void requestPause(TaskId id) throws IOException;

  /** Whether a pause of the task was requested; the request is taken (a second call says false). */
  boolean takePauseRequest(TaskId id) throws IOException;

  /**
   * Records a batch about to be created, atomically and durably, replacing one with the same id;
   * written before any of its tasks is {@link #put}.
   */
  void putBatch(BatchIntent batch) throws IOException;

  /** Every recorded batch: each one is being created, or was cut short by a crash. */
  List<BatchIntent> batches() throws IOException;

  /** Removes a batch's record (its tasks stay), durably; removing a missing one is not an error. */
  void removeBatch(String id) throws IOException;

  /** A held task lock. */
  interface Lock extends AutoCloseable {
    /** Releases the lock; closing it again does nothing (it never releases a later holder's lock). */
    @Override
    void close() throws IOException;
  }
}
