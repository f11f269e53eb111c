package dev.smc;

/**
 * Receives events of tasks and cycles. Called on engine threads: methods must be fast and must not
 * block. A listener that throws is logged and ignored; it never fails a migration. Every
 * {@code cycleStarted} is followed by exactly one {@code cycleFinished} or {@code cycleFailed}.
 */
public interface MigrationListener {
  MigrationListener NONE = new MigrationListener() {};

  default void stateChanged(TaskId task, TaskState from, TaskState to) {}

  default void cycleStarted(TaskId task, int cycle, CycleType type) {}

  default void progress(TaskId task, Progress progress) {}

  default void cycleFinished(TaskId task, int cycle, CycleReport report) {}

  default void cycleFailed(TaskId task, int cycle, SmcException cause) {}
}
