package dev.smc.scheduler;

import dev.smc.BusinessStep;
import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.InvalidSpecException;
import dev.smc.InvalidStateException;
import dev.smc.MigrationListener;
import dev.smc.NotFoundException;
import dev.smc.Progress;
import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.SyncPolicy;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.internal.Checks;
import dev.smc.scheduler.internal.Draft;
import dev.smc.scheduler.internal.LocalEngine;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.InstanceProvider;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.repo.Repository;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point for migration tasks: create, start, pause, sync, cut over, modify, delete and
 * query them; {@link #tick()} does all due work (scheduled starts, interval cycles, expiry,
 * deletion of expired tasks, recovery of abandoned tasks) and {@link #start()} ticks in the
 * background. Every state change follows {@link Action}'s table, is stored in the
 * {@link TaskStore} and logged with its cause.
 *
 * <p>Cycles run on the injected executor, at most {@code maxConcurrentCycles} at once (the rest
 * queue, Running in business step Preparing). A cycle holds its task's store lock, so two
 * processes never run one task's cycle at once. <b>Recovery:</b> a task stored as Running whose
 * lock nobody holds (its process died, however) is set to InError with reason
 * {@value #INTERRUPTED} when a scheduler opens the store and on every tick; {@link #start(String)}
 * then re-runs the interrupted cycle, reusing every chunk the repository already holds. Closing a
 * scheduler does the same to the cycles it was running.
 *
 * <p>Thread-safe. Actions that start a cycle return once it is queued; {@link #awaitCycle} waits
 * for its end. {@link #pause} blocks until the paused cycle has stopped.
 */
public final class Migrations implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  public static final int DEFAULT_MAX_CONCURRENT_CYCLES = 20;
  /** How long an Expired task is kept before it is deleted. */
  public static final Duration EXPIRED_KEPT = Duration.ofDays(7);
  /** The error of a task whose cycle's owner died or was shut down. */
  public static final String INTERRUPTED = "interrupted";
  private static final Duration STOP_WAIT = Duration.ofMinutes(1);

  private final TaskStore store;
  private final Repository repo;
  private final InstanceProvider provider;
  private final Clock clock;
  private final Executor executor;
  private final int maxConcurrent;
  private final MigrationListener listener;
  private final CycleEngine engine;
  private final Duration tickEvery;
  private final List<Closeable> owned;
  @Nullable private final ExecutorService ownExecutor;
  private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

  private final Object lock = new Object();
  /** Cycles of this scheduler, queued or executing, by task. */
  private final Map<TaskId, Cycle> cycles = new HashMap<>();
  private final ArrayDeque<Cycle> queue = new ArrayDeque<>();
  private int executing;
  private boolean closed;
  @Nullable private ScheduledExecutorService ticker;

  private Migrations(Builder b, TaskStore store, Repository repo, InstanceProvider provider, List<Closeable> owned) {
    this.store = store;
    this.repo = repo;
    this.provider = provider;
    this.clock = b.clock;
    this.maxConcurrent = b.maxConcurrentCycles;
    this.listener = b.listener;
    this.engine = b.engine;
    this.tickEvery = b.tickEvery;
    this.owned = owned;
    if (b.executor == null) {
      AtomicInteger n = new AtomicInteger();
      ownExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smc-scheduler-cycle-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      executor = ownExecutor;
    } else {
      ownExecutor = null;
      executor = b.executor;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ actions

  /**
   * Creates a task: Ready (create-only or scheduled), or Running at once (run mode now). With a
   * client token a task already created with it is returned instead.
   *
   * @throws InvalidSpecException for a run time not 10 minutes to 30 days ahead, or a source offline
   * @throws SmcException {@code ALREADY_EXISTS} for a taken task or image name, or a source that has an
   *     unfinished task
   */
  public MigrationTask create(TaskSpec spec) throws IOException {
    TaskId out;
    synchronized (lock) {
      ensureOpen();
      Instant now = clock.instant();
      List<MigrationTask> all = store.tasks();
      if (spec.clientToken().isPresent()) {
        for (MigrationTask t : all) {
          if (t.spec().clientToken().equals(spec.clientToken())) {
            log(t.id(), "create repeated with the same client token: returned this task", "create");
            return withProgress(t);
          }
        }
      }
      Checks c = new Checks();
      spec.validateRunTime(c, now);
      if (!LocalEngine.online(spec.source())) {
        c.add("source", spec.source(), "an existing folder, disk image file or block device (the source must be online)");
      }
      c.throwIfAny();
      for (MigrationTask t : all) {
        checkUnique(t, spec.name(), spec.imageName());
        if (unfinished(t.state()) && sameSource(t.spec().source(), spec.source())) {
          throw new SmcException(ErrorCode.ALREADY_EXISTS, "source " + spec.source() + " already has the unfinished task '"
              + t.name() + "' (" + t.state() + "); one unfinished task per source");
        }
      }
      TaskId id = newId(all);
      Draft d = Draft.created(id, spec, now);
      if (spec.runMode() instanceof RunMode.At at) {
        d.nextRun = at.when();
      }
      store.put(d.build());
      log(id, "created: state Ready, run mode " + spec.runMode() + ", expires " + d.expires, "create");
      if (spec.runMode() instanceof RunMode.Now) {
        begin(id, Action.START, RunType.Manual, false, "run mode now");
      }
      out = id;
    }
    dispatch();
    return task(out);
  }

  /** Starts a Ready task, or retries a Stopped or InError one, re-running its interrupted cycle. */
  public MigrationTask start(String name) throws IOException {
    return act(name, Action.START, RunType.Manual, false, "start");
  }

  /** Runs one incremental cycle now (run type Manual) of a Waiting task. */
  public MigrationTask sync(String name) throws IOException {
    return act(name, Action.SYNC, RunType.Manual, false, "sync");
  }

  /**
   * Cuts a Waiting task over: with {@code finalSync} one last cycle runs, then the task is
   * Finished; without, it is Finished at once. Either way its transit instance is released.
   */
  public MigrationTask cutover(String name, boolean finalSync) throws IOException {
    if (finalSync) {
      return act(name, Action.CUTOVER, RunType.Manual, true, "cut over with a final cycle");
    }
    synchronized (lock) {
      ensureOpen();
      Draft d = new Draft(find(name));
      TaskState before = d.state;
      d.state = Action.CUTOVER.next(name, d.state, d.spec.incremental(), false);
      d.nextRun = null;
      releaseTransit(d, "cut over");
      save(d, before, "cut over without a final cycle", "cutover");
      return d.build();
    }
  }

  private MigrationTask act(String name, Action action, RunType type, boolean cutover, String cause) throws IOException {
    TaskId id;
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = find(name);
      action.check(name, t.state());
      id = t.id();
      begin(id, action, type, cutover, cause);
    }
    dispatch();
    return task(id);
  }

  /**
   * Pauses a task: a Waiting task becomes Stopped; a Running one in business step Syncing has its
   * cycle interrupted and becomes Stopped once the cycle has stopped (this method waits for that).
   */
  public MigrationTask pause(String name) throws IOException {
    Cycle c;
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = find(name);
      Action.PAUSE.check(name, t.state());
      if (t.state() == TaskState.Waiting) {
        Draft d = new Draft(t);
        d.state = Action.PAUSE.next(name, d.state, d.spec.incremental(), false);
        save(d, TaskState.Waiting, "paused between cycles", "pause");
        return d.build();
      }
      c = cycles.get(t.id());
      if (c == null) {
        throw new SmcException(ErrorCode.LOCKED, "task '" + name + "': its cycle runs in another process"
            + t.owner().map(o -> " (pid " + o.pid() + ")").orElse("") + "; pause it there");
      }
      if (t.step().orElse(null) != BusinessStep.Syncing) {
        throw new InvalidStateException(name, "pause in business step " + t.step().map(Enum::name).orElse("-")
            + " (only Syncing can be paused)", TaskState.Running);
      }
      log(t.id(), "pause requested: interrupting cycle " + t.lastCycle().map(CycleRecord::number).orElse(0), "pause");
      c.pause = true;
      Thread th = c.thread;
      if (th != null) {
        th.interrupt();
      }
    }
    return await(c, STOP_WAIT);
  }

  /**
   * Changes name and description (any state), or interval and max images (Ready or Waiting, for an
   * incremental task).
   */
  public MigrationTask modify(String name, Modification m) throws IOException {
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = find(name);
      if (m.name().isPresent() || m.description().isPresent()) {
        Action.MODIFY_NAME.check(name, t.state());
      }
      if (m.policy()) {
        Action.MODIFY_POLICY.check(name, t.state());
        if (!t.spec().incremental()) {
          throw InvalidSpecException.of(m.interval().isPresent() ? "interval" : "maxImages", "set",
              "only for an incremental task; task '" + name + "' is one-time");
        }
      }
      TaskSpec.Builder b = t.spec().toBuilder();
      m.name().ifPresent(b::name);
      m.description().ifPresent(b::description);
      if (m.policy()) {
        SyncPolicy p = t.spec().syncPolicy().orElseThrow();
        b.incremental(m.interval().orElse(p.interval()), m.maxImages().orElse(p.maxImages()));
      }
      TaskSpec spec = b.build();
      if (!spec.name().equals(name)) {
        for (MigrationTask o : store.tasks()) {
          if (!o.id().equals(t.id())) {
            checkUnique(o, spec.name(), null);
          }
        }
      }
      Draft d = new Draft(t);
      d.spec = spec;
      Duration oldInterval = t.spec().syncPolicy().map(SyncPolicy::interval).orElse(null);
      Duration newInterval = spec.syncPolicy().map(SyncPolicy::interval).orElse(null);
      if (d.nextRun != null && oldInterval != null && !oldInterval.equals(newInterval) && d.state == TaskState.Waiting) {
        d.nextRun = d.nextRun.minus(oldInterval).plus(newInterval);
      }
      save(d, d.state, "modified: " + describe(t.spec(), spec), "modify");
      return d.build();
    }
  }

  /** Deletes a task in any state but Running: releases its transit instance; its images stay in the repository. */
  public void delete(String name) throws IOException {
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = find(name);
      Action.DELETE.check(name, t.state());
      try (TaskStore.Lock l = store.tryLock(t.id()).orElseThrow(() -> locked(t))) {
        Draft d = new Draft(store.task(t.id()).orElseThrow());
        TaskState before = d.state;
        d.state = Action.DELETE.next(name, d.state, d.spec.incremental(), false);
        save(d, before, "deleting", "delete");
        finishDelete(d, "delete");
      }
    }
  }

  /** Pins or unpins image {@code cycle} of a task: a pinned image is never removed by retention. */
  public MigrationTask pin(String name, int cycle, boolean pinned) throws IOException {
    synchronized (lock) {
      ensureOpen();
      Draft d = new Draft(find(name));
      ImageRef ref = new ImageRef(d.spec.imageName(), cycle);
      repo.pin(ref, pinned);
      d.pinned.remove(ref);
      if (pinned) {
        d.pinned.add(ref);
      }
      save(d, d.state, (pinned ? "pinned " : "unpinned ") + ref, "pin");
      return d.build();
    }
  }

  // ------------------------------------------------------------------ queries

  public MigrationTask task(String name) throws IOException {
    return withProgress(find(name));
  }

  public Optional<MigrationTask> find(TaskId id) throws IOException {
    Optional<MigrationTask> t = store.task(id);
    return t.isEmpty() ? t : Optional.of(withProgress(t.get()));
  }

  private MigrationTask task(TaskId id) throws IOException {
    return find(id).orElseThrow(() -> new NotFoundException("task " + id + " no longer exists"));
  }

  /** Every task, oldest first. */
  public List<MigrationTask> tasks() throws IOException {
    List<MigrationTask> out = new ArrayList<>();
    for (MigrationTask t : store.tasks()) {
      out.add(withProgress(t));
    }
    out.sort(Comparator.comparing(MigrationTask::created).thenComparing(MigrationTask::name));
    return out;
  }

  /** The task's log: timestamped events with their causes, oldest first. */
  public List<LogEntry> logs(String name) throws IOException {
    return store.log(find(name).id());
  }

  /** The images of a task that exist in the repository, oldest first. */
  public List<ImageInfo> images(String name) throws IOException {
    String image = find(name).spec().imageName();
    return repo.images().stream().filter(i -> i.ref().name().equals(image)).toList();
  }

  /**
   * Waits until the task's queued or running cycle (in this scheduler) has ended, at most
   * {@code timeout}; returns the task then. Returns at once when no cycle of it runs here.
   */
  public MigrationTask awaitCycle(String name, Duration timeout) throws IOException {
    Cycle c;
    synchronized (lock) {
      c = cycles.get(find(name).id());
    }
    return c == null ? task(name) : await(c, timeout);
  }

  /** Waits until no cycle runs or queues in this scheduler, at most {@code timeout}; returns whether idle. */
  public boolean awaitIdle(Duration timeout) throws IOException {
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

  private MigrationTask await(Cycle c, Duration timeout) throws IOException {
    try {
      c.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmcException(ErrorCode.CANCELLED, "interrupted while waiting for task " + c.id, e);
    } catch (ExecutionException | TimeoutException e) {
      // the state of the task tells
    }
    return task(c.id);
  }

  // ------------------------------------------------------------------ schedule

  /**
   * Does all work due at the clock's now: recovers abandoned tasks, starts Ready tasks whose run
   * time came, runs interval cycles of Waiting tasks (a tick due while the task's cycle still runs
   * is skipped and logged), expires tasks whose validity ended in Ready, Stopped or InError, and
   * deletes tasks Expired 7 days ago. Cycles it starts run on the executor.
   */
  public void tick() throws IOException {
    synchronized (lock) {
      ensureOpen();
      recover();
      Instant now = clock.instant();
      for (MigrationTask t : store.tasks()) {
        try {
          tick(t, now);
        } catch (SmcException e) {
          LOG.warn("task '{}': tick: {}", t.name(), e.getMessage());
          log(t.id(), "tick could not act", e.getMessage());
        }
      }
    }
    dispatch();
  }

  private void tick(MigrationTask t, Instant now) throws IOException {
    boolean expired = !now.isBefore(t.expires());
    switch (t.state()) {
      case Ready, Stopped, InError -> {
        if (expired) {
          expire(t, now);
        } else if (t.state() == TaskState.Ready && t.spec().runMode() instanceof RunMode.At at
            && !now.isBefore(at.when())) {
          begin(t.id(), Action.SCHEDULED_TIME, RunType.Schedule, false, "scheduled time " + at.when() + " reached");
        }
      }
      case Waiting -> {
        if (t.nextRun().isPresent() && !now.isBefore(t.nextRun().get())) {
          begin(t.id(), Action.INTERVAL, RunType.Schedule, false, "interval elapsed (due " + t.nextRun().get() + ")");
        }
      }
      case Running -> {
        Cycle c = cycles.get(t.id());
        if (c != null) {
          Draft d = new Draft(t);
          d.owner = owner(now);
          String event = null;
          if (t.spec().incremental() && d.nextRun != null && !now.isBefore(d.nextRun)) {
            Instant due = d.nextRun;
            d.nextRun = after(d.nextRun, now, t.spec().syncPolicy().orElseThrow().interval());
            event = "tick skipped: due " + due + " while cycle " + t.lastCycle().map(CycleRecord::number).orElse(0)
                + " still runs; next " + d.nextRun;
          }
          store.put(d.build());
          if (event != null) {
            log(t.id(), event, "interval elapsed");
          }
        }
      }
      case Expired -> {
        if (t.deleteAt().isPresent() && !now.isBefore(t.deleteAt().get())) {
          Draft d = new Draft(t);
          try (TaskStore.Lock l = store.tryLock(t.id()).orElseThrow(() -> locked(t))) {
            d.state = Action.DELETE.next(t.name(), d.state, d.spec.incremental(), false);
            save(d, TaskState.Expired, "deleting", "expired " + EXPIRED_KEPT.toDays() + " days ago");
            finishDelete(d, "expired task deleted");
          }
        }
      }
      default -> {}
    }
  }

  private void expire(MigrationTask t, Instant now) throws IOException {
    Draft d = new Draft(t);
    d.state = Action.VALIDITY_ENDS.next(t.name(), t.state(), t.spec().incremental(), false);
    d.deleteAt = now.plus(EXPIRED_KEPT);
    d.nextRun = null;
    releaseTransit(d, "validity ended");
    save(d, t.state(), "expired; deleted at " + d.deleteAt, "validity ended at " + t.expires());
  }

  /** Ticks every {@code tickEvery} (real time) in the background until {@link #close()}. */
  public Migrations start() {
    synchronized (lock) {
      ensureOpen();
      if (ticker == null) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "smc-scheduler-tick");
          t.setDaemon(true);
          return t;
        });
        ticker.scheduleWithFixedDelay(() -> {
          try {
            tick();
          } catch (IOException | RuntimeException e) {
            LOG.warn("tick failed: {}", e.toString());
          }
        }, 0, tickEvery.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    return this;
  }

  /**
   * Stops ticking and interrupts this scheduler's cycles (their tasks become InError
   * {@value #INTERRUPTED}, to be resumed by {@link #start(String)}), waits for them to stop, and
   * closes what the builder opened. Every change is already stored.
   */
  @Override
  public void close() throws IOException {
    List<Cycle> running;
    List<Cycle> queued;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (ticker != null) {
        ticker.shutdownNow();
      }
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
      finishFailed(c, new SmcException(ErrorCode.CANCELLED, "scheduler closed before the cycle started"));
      release(c, false);
    }
    for (Cycle c : running) {
      try {
        c.done.get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("task {}: cycle did not stop within {}", c.id, STOP_WAIT);
      }
    }
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
    IOException first = null;
    for (Closeable c : owned) {
      try {
        c.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  // ------------------------------------------------------------------ cycles

  /** A cycle of this scheduler, from queued to ended. */
  private static final class Cycle {
    final TaskId id;
    final String name;
    final TaskStore.Lock taskLock;
    final boolean cutover;
    final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    volatile Thread thread;
    volatile boolean pause;
    volatile boolean shutdown;
    volatile Progress progress;

    Cycle(TaskId id, String name, TaskStore.Lock taskLock, boolean cutover) {
      this.id = id;
      this.name = name;
      this.taskLock = taskLock;
      this.cutover = cutover;
    }
  }

  /** Under {@link #lock}: takes the task's lock, moves it to Running (Preparing) and queues its cycle. */
  private void begin(TaskId id, Action action, RunType type, boolean cutover, String cause) throws IOException {
    MigrationTask stale = store.task(id).orElseThrow(() -> new NotFoundException("task " + id + " does not exist"));
    TaskStore.Lock l = store.tryLock(id).orElseThrow(() -> locked(stale));
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
      d.owner = owner(now);
      d.progress = null;
      Optional<SyncPolicy> p = d.spec.syncPolicy();
      if (p.isEmpty()) {
        d.nextRun = null;
      } else if (action == Action.INTERVAL) {
        d.nextRun = after(d.nextRun, now, p.get().interval());
      } else if (d.nextRun == null || !d.nextRun.isAfter(now)) {
        d.nextRun = now.plus(p.get().interval());
      }
      Cycle c = new Cycle(id, d.spec.name(), l, last);
      save(d, before, what + (last ? ", the final cycle of the cut-over" : ""), cause);
      if (executing >= maxConcurrent) {
        log(id, "queued", executing + " cycles running, at most " + maxConcurrent + " at once");
      }
      cycles.put(id, c);
      queue.add(c);
    } catch (IOException | RuntimeException e) {
      l.close();
      throw e;
    }
  }

  private void dispatch() {
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
        finishFailed(c, new SmcException(ErrorCode.INTERNAL, "executor refused the cycle: " + e.getMessage(), e));
        release(c, true);
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
      ensureTransit(c, t);
      t = update(c, d -> d.step = BusinessStep.Syncing, null);
      CycleReport report = engine.run(t.spec(), repo, new CycleListener(c));
      Thread.interrupted(); // a pause that came too late to stop the engine is handled just below
      update(c, d -> d.step = BusinessStep.Processing, null); // refuses a pause from here on
      if (repo.image(report.image()).isEmpty()) {
        throw new IntegrityException("cycle reported image " + report.image() + " but the repository does not hold it");
      }
      List<ImageRef> removed = retention(t.spec());
      update(c, d -> d.step = BusinessStep.Cleaning, null);
      finishSucceeded(c, report, removed);
    } catch (Exception e) {
      finishFailed(c, e);
    }
  }

  private void cancelledCheck(Cycle c) {
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
      d.owner = owner(clock.instant());
      d.progress = c.progress == null ? d.progress : c.progress;
      store.put(d.build());
      if (event != null) {
        log(c.id, event, "");
      } else if (d.step != step) {
        log(c.id, "business step " + d.step, "");
      }
      return d.build();
    }
  }

  private void ensureTransit(Cycle c, MigrationTask t) throws IOException {
    if (t.transit().isPresent()) {
      for (TransitInstance i : provider.transits()) {
        if (i.id().equals(t.transit().get())) {
          return; // kept from an earlier cycle or attempt
        }
      }
      log(c.id, "transit instance " + t.transit().get() + " no longer exists", "");
    }
    TransitInstance i = provider.createTransit(c.id);
    update(c, d -> d.transit = i.id(), "transit instance " + i.id() + " created at " + i.endpoint());
  }

  /** After a cycle: the newest {@code maxImages} stay; the oldest unpinned ones beyond that are deleted. */
  private List<ImageRef> retention(TaskSpec spec) throws IOException {
    if (spec.syncPolicy().isEmpty()) {
      return List.of();
    }
    int max = spec.syncPolicy().get().maxImages();
    List<ImageInfo> of = repo.images().stream().filter(i -> i.ref().name().equals(spec.imageName()))
        .sorted(Comparator.comparingInt(i -> i.ref().cycle())).toList();
    List<ImageRef> removed = new ArrayList<>();
    int count = of.size();
    for (ImageInfo i : of) {
      if (count <= max) {
        break;
      }
      if (!i.pinned()) {
        repo.delete(i.ref());
        removed.add(i.ref());
        count--;
      }
    }
    return removed;
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
        releaseTransit(d, c.cutover ? "cut over" : "one-time task finished");
      } else {
        d.nextRun = after(d.nextRun, now, d.spec.syncPolicy().orElseThrow().interval());
      }
      if (!removed.isEmpty()) {
        log(c.id, "retention deleted " + removed, "more than " + d.spec.syncPolicy().orElseThrow().maxImages()
            + " images; the oldest unpinned go");
      }
      save(d, before, "cycle " + r.image().cycle() + " succeeded: image " + r.image() + ", " + r.bytesScanned()
          + " bytes scanned, " + r.bytesStored() + " bytes sent" + (d.nextRun == null ? "" : "; next " + d.nextRun),
          r.type() == CycleType.FULL ? "full cycle" : "incremental cycle");
    }
  }

  private void finishFailed(Cycle c, Exception e) {
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
        String reason = paused ? "paused" : c.shutdown ? INTERRUPTED : describe(e);
        d.state = paused ? TaskState.Stopped : Action.CYCLE_FAILS.next(d.spec.name(), d.state, d.spec.incremental(), false);
        CycleRecord last = d.last().orElseThrow();
        CycleRecord.Outcome o = paused ? CycleRecord.Outcome.Cancelled
            : c.shutdown ? CycleRecord.Outcome.Interrupted : CycleRecord.Outcome.Failed;
        Progress p = c.progress;
        d.setLast(new CycleRecord(last.number(), last.type(), last.start(), Optional.of(clock.instant()),
            Optional.empty(), p == null ? 0 : p.bytesScanned(), p == null ? 0 : p.bytesSent(), o,
            Optional.of(reason), last.attempts()));
        d.error = paused ? null : reason;
        d.step = null;
        d.owner = null;
        d.progress = p == null ? d.progress : p;
        save(d, TaskState.Running, "cycle " + last.number() + " " + o.name().toLowerCase(java.util.Locale.ROOT)
            + (d.transit == null ? "" : "; transit instance " + d.transit + " kept for the retry"), reason);
        if (!paused) {
          LOG.warn("task '{}': cycle {} {}: {}", c.name, last.number(), o, reason);
        }
      } catch (IOException | RuntimeException io) {
        LOG.error("task {}: recording the end of its cycle failed (recovered as interrupted later)", c.name, io);
      }
    }
  }

  /** Forwards the engine's events under the task's id, and keeps the latest progress. */
  private final class CycleListener implements MigrationListener {
    private final Cycle c;

    CycleListener(Cycle c) {
      this.c = c;
    }

    @Override
    public void cycleStarted(TaskId task, int cycle, CycleType type) {
      safe(() -> listener.cycleStarted(c.id, cycle, type));
    }

    @Override
    public void progress(TaskId task, Progress progress) {
      c.progress = progress;
      safe(() -> listener.progress(c.id, progress));
    }

    @Override
    public void cycleFinished(TaskId task, int cycle, CycleReport report) {
      safe(() -> listener.cycleFinished(c.id, cycle, report));
    }

    @Override
    public void cycleFailed(TaskId task, int cycle, SmcException cause) {
      safe(() -> listener.cycleFailed(c.id, cycle, cause));
    }
  }

  // ------------------------------------------------------------------ recovery, transit, store

  /** Under {@link #lock}: Running tasks nobody holds the lock of become InError; Deleting ones are deleted. */
  private void recover() throws IOException {
    for (MigrationTask t : store.tasks()) {
      if ((t.state() != TaskState.Running && t.state() != TaskState.Deleting) || cycles.containsKey(t.id())) {
        continue;
      }
      Optional<TaskStore.Lock> l = store.tryLock(t.id());
      if (l.isEmpty()) {
        continue; // its owner lives
      }
      try (TaskStore.Lock held = l.get()) {
        Draft d = new Draft(store.task(t.id()).orElseThrow());
        if (d.state == TaskState.Deleting) {
          finishDelete(d, "deletion interrupted by a crash, completed");
          continue;
        }
        if (d.state != TaskState.Running) {
          continue;
        }
        String owner = t.owner().map(o -> "pid " + o.pid() + " (instance " + o.instance() + ", last heartbeat "
            + o.heartbeat() + ")").orElse("unknown");
        d.state = Action.CYCLE_FAILS.next(d.spec.name(), d.state, d.spec.incremental(), false);
        d.error = INTERRUPTED;
        d.step = null;
        d.owner = null;
        d.last().ifPresent(r -> d.setLast(new CycleRecord(r.number(), r.type(), r.start(),
            Optional.of(clock.instant()), Optional.empty(), r.bytesScanned(), r.bytesSent(),
            CycleRecord.Outcome.Interrupted, Optional.of(INTERRUPTED), r.attempts())));
        save(d, TaskState.Running, "cycle " + d.last().map(CycleRecord::number).orElse(0) + " " + INTERRUPTED
            + ": its owner is gone; start resumes it", "owner " + owner + " holds no lock");
      }
    }
  }

  private void finishDelete(Draft d, String cause) throws IOException {
    releaseTransit(d, cause);
    log(d.id, "deleted", cause);
    store.remove(d.id);
    LOG.info("task '{}' deleted ({})", d.spec.name(), cause);
  }

  private void releaseTransit(Draft d, String cause) throws IOException {
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

  /** Stores a changed task, logs the event and, if the state changed, tells the listener. */
  private void save(Draft d, TaskState before, String event, String cause) throws IOException {
    store.put(d.build());
    log(d.id, before == d.state ? event : "state " + before + " -> " + d.state + ": " + event, cause);
    if (before != d.state) {
      LOG.info("task '{}': {} -> {}: {}", d.spec.name(), before, d.state, event);
      TaskState to = d.state;
      safe(() -> listener.stateChanged(d.id, before, to));
    }
  }

  private void log(TaskId id, String event, String cause) throws IOException {
    store.appendLog(id, new LogEntry(clock.instant(), event, cause));
  }

  private MigrationTask find(String name) throws IOException {
    for (MigrationTask t : store.tasks()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new NotFoundException("task '" + name + "' does not exist");
  }

  private MigrationTask withProgress(MigrationTask t) {
    Cycle c;
    synchronized (lock) {
      c = cycles.get(t.id());
    }
    Progress p = c == null ? null : c.progress;
    if (p == null) {
      return t;
    }
    Draft d = new Draft(t);
    d.progress = p;
    return d.build();
  }

  private MigrationTask.Owner owner(Instant now) {
    return new MigrationTask.Owner(ProcessHandle.current().pid(), instance, now);
  }

  private SmcException locked(MigrationTask t) {
    return new SmcException(ErrorCode.LOCKED, "task '" + t.name() + "': its cycle runs in another process"
        + t.owner().map(o -> " (pid " + o.pid() + ")").orElse(""));
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this scheduler is closed");
    }
  }

  private static void checkUnique(MigrationTask t, String name, @Nullable String imageName) {
    if (t.name().equals(name)) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, "task name '" + name + "' is taken (task " + t.id() + ")");
    }
    if (imageName != null && t.spec().imageName().equals(imageName)) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, "image name '" + imageName + "' is taken by task '"
          + t.name() + "'");
    }
  }

  private static boolean unfinished(TaskState s) {
    return s != TaskState.Finished && s != TaskState.Expired;
  }

  private static boolean sameSource(String a, String b) {
    return Path.of(a).toAbsolutePath().normalize().equals(Path.of(b).toAbsolutePath().normalize());
  }

  private static TaskId newId(List<MigrationTask> all) {
    while (true) {
      TaskId id = new TaskId("t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4));
      if (all.stream().noneMatch(t -> t.id().equals(id))) {
        return id;
      }
    }
  }

  /** The first time {@code interval} after {@code from} that is after {@code now}. */
  private static Instant after(@Nullable Instant from, Instant now, Duration interval) {
    Instant t = from == null ? now.plus(interval) : from;
    while (!t.isAfter(now)) {
      t = t.plus(interval);
    }
    return t;
  }

  private static String describe(TaskSpec a, TaskSpec b) {
    List<String> out = new ArrayList<>();
    if (!a.name().equals(b.name())) {
      out.add("name " + a.name() + " -> " + b.name());
    }
    if (!a.description().equals(b.description())) {
      out.add("description changed");
    }
    if (!a.syncPolicy().equals(b.syncPolicy())) {
      out.add("sync policy " + a.syncPolicy().map(Object::toString).orElse("-") + " -> "
          + b.syncPolicy().map(Object::toString).orElse("-"));
    }
    return out.isEmpty() ? "nothing changed" : String.join(", ", out);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof SmcException s ? s.code() + ": " + m : e.getClass().getSimpleName() + ": " + m;
  }

  private static void safe(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("listener failed (ignored): {}", e.toString());
    }
  }

  /** Configures a {@link Migrations}; {@link #build()} opens what was not given under {@link #home}. Not thread-safe. */
  public static final class Builder {
    @Nullable private Path home;
    @Nullable private TaskStore store;
    @Nullable private Repository repository;
    @Nullable private InstanceProvider provider;
    private Clock clock = Clock.systemUTC();
    @Nullable private Executor executor;
    private int maxConcurrentCycles = DEFAULT_MAX_CONCURRENT_CYCLES;
    private MigrationListener listener = MigrationListener.NONE;
    private CycleEngine engine = CycleEngine.local();
    private Duration tickEvery = Duration.ofSeconds(30);

    /** The folder for whatever is not given: {@code tasks/}, {@code locks/}, {@code repo/}, {@code transit/}. */
    public Builder home(Path home) {
      this.home = home;
      return this;
    }

    public Builder store(TaskStore store) {
      this.store = store;
      return this;
    }

    /** The repository the cycles write to; closed by the caller, not by {@link Migrations#close()}. */
    public Builder repository(Repository repository) {
      this.repository = repository;
      return this;
    }

    public Builder provider(InstanceProvider provider) {
      this.provider = provider;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Runs cycles (default: a cached pool of daemon threads); {@code Runnable::run} runs them inside the caller. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    public Builder maxConcurrentCycles(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentCycles " + n + ": at least 1");
      }
      this.maxConcurrentCycles = n;
      return this;
    }

    public Builder listener(MigrationListener listener) {
      this.listener = listener;
      return this;
    }

    public Builder engine(CycleEngine engine) {
      this.engine = engine;
      return this;
    }

    /** How often {@link Migrations#start()} ticks, in real time (default 30 s). */
    public Builder tickEvery(Duration every) {
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("tickEvery " + every + ": must be positive");
      }
      this.tickEvery = every;
      return this;
    }

    /** Opens the scheduler and recovers tasks abandoned by a dead owner. */
    public Migrations build() throws IOException {
      List<Closeable> owned = new ArrayList<>();
      if ((store == null || repository == null || provider == null) && home == null) {
        throw new IllegalStateException("home is required unless store, repository and provider are all given");
      }
      TaskStore s = store;
      if (s == null) {
        s = new FileTaskStore(home);
        owned.add(s);
      }
      Repository r = repository;
      if (r == null) {
        r = Repository.open(Backends.open(home.resolve("repo").toString()), Repository.options().clock(clock));
        owned.add(r);
      }
      InstanceProvider p = provider == null ? new LocalInstanceProvider(home.resolve("transit")) : provider;
      Migrations m = new Migrations(this, s, r, p, owned);
      synchronized (m.lock) {
        m.recover();
      }
      return m;
    }
  }
}
