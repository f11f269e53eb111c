package dev.smc.batch;

import dev.smc.TaskId;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A store whose process "dies" right after its {@code n}th task put: that put and every later write
 * fail, as nothing more reaches the disk after a crash; reads still work. Thread-safe.
 */
final class DyingTaskStore implements TaskStore {
  private final TaskStore inner;
  private final int diesAfterPuts;
  private int puts;
  private boolean dead;

  DyingTaskStore(TaskStore inner, int diesAfterPuts) {
    this.inner = inner;
    this.diesAfterPuts = diesAfterPuts;
  }

  private synchronized void write() throws IOException {
    if (dead) {
      throw new IOException("simulated crash: the process is gone");
    }
  }

  @Override
  public synchronized void put(MigrationTask task) throws IOException {
    write();
    inner.put(task);
    if (++puts >= diesAfterPuts) {
      dead = true;
      throw new IOException("simulated crash after put " + puts);
    }
  }

  @Override
  public void remove(TaskId id) throws IOException {
    write();
    inner.remove(id);
  }

  @Override
  public void appendLog(TaskId id, LogEntry entry) throws IOException {
    write();
    inner.appendLog(id, entry);
  }

  @Override
  public void putBatch(BatchIntent batch) throws IOException {
    write();
    inner.putBatch(batch);
  }

  @Override
  public void removeBatch(String id) throws IOException {
    write();
    inner.removeBatch(id);
  }

  @Override
  public List<BatchIntent> batches() throws IOException {
    return inner.batches();
  }

  @Override
  public List<MigrationTask> tasks() throws IOException {
    return inner.tasks();
  }

  @Override
  public Optional<MigrationTask> task(TaskId id) throws IOException {
    return inner.task(id);
  }

  @Override
  public List<LogEntry> log(TaskId id) throws IOException {
    return inner.log(id);
  }

  @Override
  public Optional<Lock> tryLock(TaskId id) throws IOException {
    return inner.tryLock(id);
  }

  @Override
  public void requestPause(TaskId id) throws IOException {
    write();
    inner.requestPause(id);
  }

  @Override
  public boolean takePauseRequest(TaskId id) throws IOException {
    return inner.takePauseRequest(id);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
