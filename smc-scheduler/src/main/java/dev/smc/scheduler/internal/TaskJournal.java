package dev.smc.scheduler.internal;

import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.NotFoundException;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TaskState;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.spi.InstanceProvider;
import dev.smc.spi.InstanceProvider.TransitInstance;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a scheduler records what happens to a task: every change is stored with a log entry giving
 * its cause, a state change also goes to the listener (a listener that throws is logged and
 * ignored), and a task's transit instance is released through it. Thread-safe as far as the store
 * is; callers serialise changes of one task.
 */
public final class TaskJournal {
  private static final Logger LOG = LoggerFactory.getLogger(TaskJournal.class);

  private final TaskStore store;
  private final InstanceProvider provider;
  private final Clock clock;
  private final MigrationListener listener;
  /** Tells this scheduler's cycles from another's in the same process, in the task's owner. */
  private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

  public TaskJournal(TaskStore store, InstanceProvider provider, Clock clock, MigrationListener listener) {
    this.store = store;
    this.provider = provider;
    this.clock = clock;
    this.listener = listener;
  }

  public TaskStore store() {
    return store;
  }

  public Clock clock() {
    return clock;
  }

  public MigrationListener listener() {
    return listener;
  }

  /** Stores a changed task, logs the event and, if the state changed, tells the listener. */
  public void save(Draft d, TaskState before, String event, String cause) throws IOException {
    store.put(d.build());
    log(d.id, before == d.state ? event : "state " + before + " -> " + d.state + ": " + event, cause);
    if (before != d.state) {
      LOG.info("task '{}': {} -> {}: {}", d.spec.name(), before, d.state, event);
      TaskState to = d.state;
      safe(() -> listener.stateChanged(d.id, before, to));
    }
  }

  public void log(TaskId id, String event, String cause) throws IOException {
    store.appendLog(id, new LogEntry(clock.instant(), event, cause));
  }

  /** Releases the draft's transit instance, if it holds one, and logs why. */
  public void releaseTransit(Draft d, String cause) throws IOException {
    if (d.transit == null) {
      return;
    }
    TransitInstance found = new TransitInstance(d.transit, d.id, "");
    for (TransitInstance i : provider.transits()) {
      if (i.id().equals(d.transit)) {
        found = i;
      }
    }
    provider.releaseTransit(found);
    log(d.id, "transit instance " + d.transit + " released", cause);
    d.transit = null;
  }

  /** The last step of a deletion (the task is Deleting): releases its transit and removes it from the store. */
  public void finishDelete(Draft d, String cause) throws IOException {
    releaseTransit(d, cause);
    log(d.id, "deleted", cause);
    store.remove(d.id);
    LOG.info("task '{}' deleted ({})", d.spec.name(), cause);
  }

  public MigrationTask find(String name) throws IOException {
    for (MigrationTask t : store.tasks()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new NotFoundException("task '" + name + "' does not exist");
  }

  /** This process as the owner of a running cycle, with a heartbeat at {@code now}. */
  public MigrationTask.Owner owner(Instant now) {
    return new MigrationTask.Owner(ProcessHandle.current().pid(), instance, now);
  }

  /** The error for a task whose store lock another process holds. */
  public static SmcException locked(MigrationTask t) {
    return new SmcException(ErrorCode.LOCKED, "task '" + t.name() + "': its cycle runs in another process"
        + t.owner().map(o -> " (pid " + o.pid() + ")").orElse(""));
  }

  /** Calls a listener; what it throws is logged and ignored. */
  public static void safe(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("listener failed (ignored): {}", e.toString());
    }
  }
}
