package dev.smc.scheduler.internal;

import dev.smc.BusinessStep;
import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.NotFoundException;
import dev.smc.PostSnapshotException;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.SyncPolicy;
import dev.smc.TaskId;
import dev.smc.TaskState;
import dev.smc.Units;
import dev.smc.scheduler.Action;
import dev.smc.scheduler.CycleEngine;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.RunType;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.spi.InstanceProvider;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a scheduler's cycles: {@link #begin} takes the task's store lock, moves it to Running
 * (Preparing) and queues the cycle; {@link #dispatch} hands queued cycles to the executor, at most
 * {@code maxConcurrent} at once; a cycle then ensures the transit instance (a kept one is started
 * again if it stopped), runs the engine (Syncing) into the repository as the transit serves it
 * ({@link CycleTarget}), checks the image and applies {@link Retention} to the scheduler's own
 * repository (Processing), and records how it ended
 * (Cleaning, then Waiting or Finished; or InError, Stopped when paused, Interrupted when shut down).
 *
 * <p>Thread-safe: shared state is guarded by the scheduler's lock, given to the constructor;
 * methods that say so must be called holding it.
 */
public final class CycleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(CycleRunner.class);

  private final Object lock;
  private final TaskJournal journal;
  private final TaskStore store;
  private final Repository repo;
  private final InstanceProvider provider;
  private final Clock clock;
  private final Executor executor;
  private final int maxConcurrent;
  private final CycleEngine engine;
  /** Cycles of this scheduler, queued or executing, by task. */
  private final Map<TaskId, Cycle> cycles = new HashMap<>();
  private final ArrayDeque<Cycle> queue = new ArrayDeque<>();
  private int executing;

  public CycleRunner(Object lock, TaskJournal journal, Repository repo, InstanceProvider provider, Executor executor,
      int maxConcurrent, CycleEngine engine) {
    this.lock = lock;
    this.journal = journal;
    this.store = journal.store();
    this.clock = journal.clock();
    this.repo = repo;
    this.provider = provider;
    this.executor = executor;
    this.maxConcurrent = maxConcurrent;
    this.engine = engine;
  }

  /** Under the lock: the cycle of a task queued or running here, or null. */
  @Nullable
  public Cycle cycle(TaskId id) {
    return cycles.get(id);
  }

  /** The latest progress of a task's cycle running here, or null. */
  @Nullable
  public Progress progress(TaskId id) {
    Cycle c;
    synchronized (lock) {
      c = cycles.get(id);
    }
    return c == null ? null : c.progress;
  }

  /** Waits until no cycle runs or queues here, at most {@code timeout}; returns whether idle. */
  public boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Cycle> now;
      synchronized (lock) {
        now = List.copyOf(cycles.values());
      }
      if (now.isEmpty()) {
        return true;
      }
      for (Cycle c : now) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          c.done.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SmcException(ErrorCode.CANCELLED, "interrupted while waiting for cycles", e);
        } catch (ExecutionException e) {
          // the cycle's outcome is in its task
        }
      }
    }
  }

  /** Under the lock: takes the task's lock, moves it to Running (Preparing) and queues its cycle. */
  public void begin(TaskId id, Action action, RunType type, boolean cutover, String cause) throws IOException {
    MigrationTask stale = store.task(id).orElseThrow(() -> new NotFoundException("task " + id + " does not exist"));
    TaskStore.Lock l = store.tryLock(id).orElseThrow(() -> TaskJournal.locked(stale));
    try {
      Draft d = new Draft(store.task(id).orElseThrow()); // re-read under the lock: another process may have acted
      TaskState before = d.state;
      boolean last = action == Action.START ? d.cutover : cutover;
      d.state = action.next(d.spec.name(), d.state, d.spec.incremental(), action == Action.CUTOVER || last);
      Instant now = clock.instant();
      int number = repo.latest(d.spec.imageName()).map(i -> i.ref().cycle() + 1).orElse(1);
      Optional<CycleRecord> prev = d.last();
      String what;
      if (prev.isPresent() && prev.get().number() == number && prev.get().outcome() != CycleRecord.Outcome.Succeeded) {
        CycleRecord r = prev.get();
        d.setLast(new CycleRecord(number, r.type(), r.start(), Optional.empty(), Optional.empty(), 0, 0,
            CycleRecord.Outcome.Running, Optional.empty(), r.attempts() + 1));
        what = "cycle " + number + " resumed (attempt " + (r.attempts() + 1) + ", stored chunks are reused)";
      } else {
        d.cycles.add(new CycleRecord(number, type, now, Optional.empty(), Optional.empty(), 0, 0,
            CycleRecord.Outcome.Running, Optional.empty(), 1));
        what = "cycle " + number + " (" + type + ")";
      }
      d.step = BusinessStep.Preparing;
      d.error = null;
      d.cutover = last;
      d.owner = journal.owner(now);
      d.progress = null;
      Optional<SyncPolicy> p = d.spec.syncPolicy();
      if (p.isEmpty()) {
        d.nextRun = null;
      } else if (action == Action.INTERVAL) {
        d.nextRun = after(d.nextRun, now, p.get().interval());
      } else if (d.nextRun == null || !d.nextRun.isAfter(now)) {
        d.nextRun = after(null, now, p.get().interval());
      }
      Cycle c = new Cycle(id, d.spec.name(), l, last);
      journal.save(d, before, what + (last ? ", the final cycle of the cut-over" : ""), cause);
      if (executing >= maxConcurrent) {
        journal.log(id, "queued", executing + " cycles running, at most " + maxConcurrent + " at once");
      }
      cycles.put(id, c);
      queue.add(c);
    } catch (IOException | RuntimeException e) {
      l.close();
      throw e;
    }
  }

  /**
   * Under the lock, on a tick while {@code t} is Running: refreshes the owner's heartbeat of a cycle
   * running here, and skips (and logs) an interval tick that came due meanwhile; returns that skip's
   * event, else null.
   */
  @Nullable
  public String tickRunning(MigrationTask t, Instant now) throws IOException {
    if (!cycles.containsKey(t.id())) {
      return null;
    }
    Draft d = new Draft(t);
    d.owner = journal.owner(now);
    String event = null;
    if (t.spec().incremental() && d.nextRun != null && !now.isBefore(d.nextRun)) {
      Instant due = d.nextRun;
      d.nextRun = after(d.nextRun, now, t.spec().syncPolicy().orElseThrow().interval());
      event = "tick skipped: due " + due + " while cycle " + t.lastCycle().map(CycleRecord::number).orElse(0)
          + " still runs; next " + d.nextRun;
    }
    store.put(d.build());
    if (event != null) {
      journal.log(t.id(), event, "interval elapsed");
    }
    return event;
  }

  /** Hands queued cycles to the executor while fewer than {@code maxConcurrent} execute. Not under the lock. */
  public void dispatch() {
    List<Cycle> go = new ArrayList<>();
    synchronized (lock) {
      while (executing < maxConcurrent && !queue.isEmpty()) {
        go.add(queue.poll());
        executing++;
      }
    }
    for (Cycle c : go) {
      try {
        executor.execute(() -> run(c));
      } catch (RejectedExecutionException e) {
        finishFailed(c, new SmcException(ErrorCode.INTERNAL, "executor refused the cycle: " + e.getMessage(), e), null);
        release(c, true);
      }
    }
  }

  /**
   * Interrupts every cycle here (their tasks become InError {@value Migrations#INTERRUPTED}), drops
   * the queued ones and waits at most {@code wait} for each running one to stop.
   */
  public void shutdown(Duration wait) {
    List<Cycle> running;
    List<Cycle> queued;
    synchronized (lock) {
      queued = new ArrayList<>(queue);
      queue.clear();
      running = new ArrayList<>(cycles.values());
      running.removeAll(queued);
      for (Cycle c : cycles.values()) {
        c.shutdown = true;
        Thread th = c.thread;
        if (th != null) {
          th.interrupt();
        }
      }
    }
    for (Cycle c : queued) {
      finishFailed(c, new SmcException(ErrorCode.CANCELLED, "scheduler closed before the cycle started"), null);
      release(c, false);
    }
    for (Cycle c : running) {
      try {
        c.done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("task {}: cycle did not stop within {}", c.id, wait);
      }
    }
  }

  private void run(Cycle c) {
    Thread t = Thread.currentThread();
    String threadName = t.getName();
    t.setName("smc-scheduler-" + c.name);
    c.thread = t;
    try {
      execute(c);
    } catch (RuntimeException | Error e) {
      LOG.error("task {}: cycle crashed", c.name, e);
    } finally {
      c.thread = null;
      Thread.interrupted();
      t.setName(threadName);
      release(c, true);
    }
  }

  /** Whether another process asked to pause {@code c} (seen on the engine's progress, about 4 times a second). */
  private boolean takePause(Cycle c) {
    try {
      return store.takePauseRequest(c.id);
    } catch (IOException e) {
      LOG.warn("task {}: cannot read its pause request: {}", c.name, e.toString());
      return false;
    }
  }

  private void release(Cycle c, boolean wasExecuting) {
    synchronized (lock) {
      cycles.remove(c.id);
      if (wasExecuting) {
        executing--;
      }
    }
    try {
      c.taskLock.close();
    } catch (IOException e) {
      LOG.warn("task {}: releasing its lock failed: {}", c.name, e.toString());
    }
    c.done.complete(null);
    if (wasExecuting) {
      dispatch();
    }
  }

  private void execute(Cycle c) {
    try {
      cancelledCheck(c);
      MigrationTask t = update(c, d -> {}, null);
      c.started = clock.instant();
      CycleRecord r = t.lastCycle().orElseThrow();
      LOG.info("task '{}': cycle {} ({}) started{}{}", c.name, r.number(), r.type(), r.attempts() > 1 ? ", attempt "
          + r.attempts() + " (resumed, stored chunks are reused)" : "", c.cutover ? ", the final cycle of the cut-over" : "");
      TransitInstance transit = ensureTransit(c, t);
      CycleReport report;
      try (CycleTarget target = CycleTarget.open(repo, transit, t.spec().network())) {
        store.takePauseRequest(c.id); // one left by an earlier cycle that ended before taking it
        t = update(c, d -> d.step = BusinessStep.Syncing, target.remote()
            ? "business step Syncing, sending through transit instance " + transit.id() + " at "
                + transit.endpoint(t.spec().network())
            : null);
        report = engine.run(t.spec(), target.repository(), c.listener(journal.listener(), () -> takePause(c)));
        Thread.interrupted(); // a pause that came too late to stop the engine is handled just below
      }
      update(c, d -> d.step = BusinessStep.Processing, null); // refuses a pause from here on
      if (repo.image(report.image()).isEmpty()) {
        throw new IntegrityException("cycle reported image " + report.image() + " but the repository does not hold it");
      }
      List<ImageRef> removed = Retention.apply(repo, t.spec());
      update(c, d -> d.step = BusinessStep.Cleaning, null);
      finishSucceeded(c, report, removed);
    } catch (PostSnapshotException e) {
      // the image is there and restores: the cycle record names it, though the cycle failed
      finishFailed(c, e, e.report());
    } catch (Exception e) {
      finishFailed(c, e, null);
    }
  }

  private static void cancelledCheck(Cycle c) {
    if (c.pause || c.shutdown) {
      throw new SmcException(ErrorCode.CANCELLED, "cycle of task '" + c.name + "' " + (c.pause ? "paused" : "shut down"));
    }
  }

  /** Changes the running task under the lock, checking first that it was not paused or shut down. */
  private MigrationTask update(Cycle c, Consumer<Draft> change, @Nullable String event) throws IOException {
    synchronized (lock) {
      cancelledCheck(c);
      Draft d = new Draft(store.task(c.id).orElseThrow());
      BusinessStep step = d.step;
      change.accept(d);
      d.owner = journal.owner(clock.instant());
      d.progress = c.progress == null ? d.progress : c.progress;
      store.put(d.build());
      if (event != null) {
        journal.log(c.id, event, "");
      } else if (d.step != step) {
        journal.log(c.id, "business step " + d.step, "");
      }
      return d.build();
    }
  }

  /** The task's transit instance, serving: the one kept from an earlier cycle or attempt (restarted if it stopped), or a new one. */
  private TransitInstance ensureTransit(Cycle c, MigrationTask t) throws IOException {
    if (t.transit().isPresent()) {
      for (TransitInstance i : provider.transits()) {
        if (i.id().equals(t.transit().get())) {
          boolean serving = provider.isServing(i);
          TransitInstance now = provider.ensureRunning(i);
          if (!serving || !now.endpoint().equals(i.endpoint())) {
            update(c, d -> {}, "transit instance " + i.id() + " had stopped; serving again at " + now.endpoint());
          }
          return now;
        }
      }
      journal.log(c.id, "transit instance " + t.transit().get() + " no longer exists", "");
    }
    TransitInstance i = provider.createTransit(c.id);
    try {
      update(c, d -> d.transit = i.id(), "transit instance " + i.id() + " created at " + i.endpoint());
    } catch (IOException | RuntimeException e) {
      // paused or shut down while it was made: no task holds it, so it goes now or never
      try {
        provider.releaseTransit(i);
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return i;
  }

  private void finishSucceeded(Cycle c, CycleReport r, List<ImageRef> removed) throws IOException {
    synchronized (lock) {
      Draft d = new Draft(store.task(c.id).orElseThrow());
      TaskState before = d.state;
      Instant now = clock.instant();
      d.state = Action.CYCLE_SUCCEEDS.next(d.spec.name(), d.state, d.spec.incremental(), c.cutover);
      CycleRecord last = d.last().orElseThrow();
      d.setLast(new CycleRecord(r.image().cycle(), last.type(), last.start(), Optional.of(now), Optional.of(r.image()),
          r.bytesScanned(), r.bytesStored(), CycleRecord.Outcome.Succeeded, Optional.empty(), last.attempts()));
      d.step = null;
      d.owner = null;
      d.cutover = false;
      d.progress = c.progress == null ? d.progress : c.progress;
      if (d.state == TaskState.Finished) {
        d.nextRun = null;
        journal.releaseTransit(d, c.cutover ? "cut over" : "one-time task finished");
      } else {
        d.nextRun = after(d.nextRun, now, d.spec.syncPolicy().orElseThrow().interval());
      }
      if (!removed.isEmpty()) {
        journal.log(c.id, "retention deleted " + removed, "more than " + d.spec.syncPolicy().orElseThrow().maxImages()
            + " images; the oldest unpinned go");
      }
      String end = "cycle " + r.image().cycle() + " (" + last.type() + ") succeeded" + took(c, now) + ": image "
          + r.image() + ", " + Units.bytes(r.bytesScanned()) + " scanned, " + Units.bytes(r.bytesStored()) + " sent";
      journal.save(d, before, end + (d.nextRun == null ? "" : "; next " + d.nextRun),
          r.type() == CycleType.FULL ? "full cycle" : "incremental cycle");
      LOG.info("task '{}': {}; now {}{}", c.name, end, d.state, d.nextRun == null ? ""
          : ", next run " + d.nextRun.truncatedTo(ChronoUnit.MILLIS));
      logWarnings(c, r);
    }
  }

  /** The cycle's warnings (files left out, the repository left out of the source, ...), the first few of them. */
  private void logWarnings(Cycle c, CycleReport r) throws IOException {
    if (r.warnings().isEmpty()) {
      return;
    }
    List<String> first = r.warnings().stream().limit(5).map(Object::toString).toList();
    int more = r.warnings().size() - first.size();
    journal.log(c.id, "cycle " + r.image().cycle() + ": " + r.warnings().size() + " warning"
        + (r.warnings().size() == 1 ? "" : "s") + ": " + String.join("; ", first) + (more > 0 ? "; and " + more
        + " more" : ""), "what the cycle could not copy exactly, or left out");
  }

  /**
   * Records a failed cycle. {@code made} is the report of a cycle whose image was committed before
   * something after it failed (its post-snapshot hook): the record then names that image.
   */
  private void finishFailed(Cycle c, Exception e, @Nullable CycleReport made) {
    if (Thread.currentThread() == c.thread) {
      Thread.interrupted(); // the store's channels would refuse to write on an interrupted thread
    }
    synchronized (lock) {
      try {
        Optional<MigrationTask> t = store.task(c.id);
        if (t.isEmpty() || t.get().state() != TaskState.Running) {
          return;
        }
        Draft d = new Draft(t.get());
        boolean paused = c.pause;
        String reason = paused ? "paused" : c.shutdown ? Migrations.INTERRUPTED : describe(e);
        d.state = paused ? TaskState.Stopped : Action.CYCLE_FAILS.next(d.spec.name(), d.state, d.spec.incremental(), false);
        CycleRecord last = d.last().orElseThrow();
        CycleRecord.Outcome o = paused ? CycleRecord.Outcome.Cancelled
            : c.shutdown ? CycleRecord.Outcome.Interrupted : CycleRecord.Outcome.Failed;
        Progress p = c.progress;
        d.setLast(new CycleRecord(last.number(), last.type(), last.start(), Optional.of(clock.instant()),
            made == null ? Optional.empty() : Optional.of(made.image()),
            made != null ? made.bytesScanned() : p == null ? 0 : p.bytesScanned(),
            made != null ? made.bytesStored() : p == null ? 0 : p.bytesSent(), o, Optional.of(reason),
            last.attempts()));
        d.error = paused ? null : reason;
        d.step = null;
        d.owner = null;
        d.progress = p == null ? d.progress : p;
        String end = "cycle " + last.number() + " (" + last.type() + ") " + o.name().toLowerCase(Locale.ROOT)
            + took(c, clock.instant()) + ": " + Units.bytes(d.last().orElseThrow().bytesScanned()) + " scanned, "
            + Units.bytes(d.last().orElseThrow().bytesSent()) + " sent";
        journal.save(d, TaskState.Running, end
            + (made == null ? "" : "; its image " + made.image() + " was made and is kept, but the post-snapshot"
                + " hook failed after it (retention was not applied)")
            + (d.transit == null ? "" : "; transit instance " + d.transit + " kept for the retry"), reason);
        if (paused || c.shutdown) {
          LOG.info("task '{}': {}: {}; now {}", c.name, end, reason, d.state);
        } else {
          LOG.warn("task '{}': {}: {}; now {}", c.name, end, reason, d.state);
        }
      } catch (IOException | RuntimeException io) {
        LOG.error("task {}: recording the end of its cycle failed (recovered as interrupted later)", c.name, io);
      }
    }
  }

  /** How long this run of the cycle took (a resumed cycle's record keeps the start of its first run), or "". */
  private static String took(Cycle c, Instant now) {
    Instant from = c.started;
    return from == null ? "" : " in " + Units.duration(Duration.between(from, now));
  }

  /**
   * The first time {@code interval} after {@code from} (or after now) that is after {@code now}, in
   * whole seconds, as tables and logs show it.
   */
  private static Instant after(@Nullable Instant from, Instant now, Duration interval) {
    Instant t = (from == null ? now.plus(interval) : from).truncatedTo(ChronoUnit.SECONDS);
    while (!t.isAfter(now)) {
      t = t.plus(interval);
    }
    return t;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof SmcException s ? s.code() + ": " + m : e.getClass().getSimpleName() + ": " + m;
  }
}
