package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TaskStore} in memory, for tests and short-lived programs; several schedulers sharing
 * one instance behave like processes sharing a folder. Nothing survives the JVM. Thread-safe.
 */
public final class InMemoryTaskStore implements TaskStore {
  private final Map<TaskId, MigrationTask> tasks = new HashMap<>();
  private final Map<TaskId, List<LogEntry>> logs = new HashMap<>();
  private final Set<TaskId> locked = new HashSet<>();
  private final Set<TaskId> pauses = new HashSet<>();
  private final Map<String, BatchIntent> batches = new HashMap<>();

  @Override
  public synchronized List<MigrationTask> tasks() {
    return List.copyOf(tasks.values());
  }

  @Override
  public synchronized Optional<MigrationTask> task(TaskId id) {
    return Optional.ofNullable(tasks.get(id));
  }

  @Override
  public synchronized void put(MigrationTask task) {
    tasks.put(task.id(), task);
  }

  @Override
  public synchronized void remove(TaskId id) {
    tasks.remove(id);
    logs.remove(id);
  }

  @Override
  public synchronized void appendLog(TaskId id, LogEntry entry) {
    logs.computeIfAbsent(id, k -> new ArrayList<>()).add(entry);
  }

  @Override
  public synchronized List<LogEntry> log(TaskId id) {
    return List.copyOf(logs.getOrDefault(id, List.of()));
  }

  @Override
  public synchronized void putBatch(BatchIntent batch) {
    batches.put(batch.id(), batch);
  }

  @Override
  public synchronized List<BatchIntent> batches() {
    return List.copyOf(batches.values());
  }

  @Override
  public synchronized void removeBatch(String id) {
    batches.remove(id);
  }

  @Override
  public synchronized void requestPause(TaskId id) {
    pauses.add(id);
  }

  @Override
  public synchronized boolean takePauseRequest(TaskId id) {
    return pauses.remove(id);
  }

  @Override
  public synchronized Optional<Lock> tryLock(TaskId id) {
    if (!locked.add(id)) {
      return Optional.empty();
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return Optional.of(() -> {
      // only the first close releases: a second one must not release the lock of the next holder
      if (open.getAndSet(false)) {
        synchronized (this) {
          locked.remove(id);
        }
      }
    });
  }

  @Override
  public void close() {}
}
