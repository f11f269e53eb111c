package dev.smc.scheduler;

import dev.smc.BusinessStep;
import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.InvalidStateException;
import dev.smc.MigrationListener;
import dev.smc.NotFoundException;
import dev.smc.Progress;
import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.internal.Cycle;
import dev.smc.scheduler.internal.CycleRunner;
import dev.smc.scheduler.internal.Draft;
import dev.smc.scheduler.internal.LocalEngine;
import dev.smc.scheduler.internal.Recovery;
import dev.smc.scheduler.internal.Schedule;
import dev.smc.scheduler.internal.TaskChanges;
import dev.smc.scheduler.internal.TaskJournal;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.InstanceProvider;
import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.paths.StoreFolder;
import dev.smc.transfer.repo.Repository;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * then re-runs the interrupted cycle (same number and run type), reusing every chunk the repository
 * already holds. Closing a scheduler does the same to the cycles it was running. A scheduler built
 * with {@link Builder#resumeInterrupted} (a service, such as {@code smc serve}) resumes such cycles by
 * itself on its ticks; a task whose cycle failed by itself stays InError.
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
  private final Clock clock;
  private final Duration tickEvery;
  private final boolean resumeInterrupted;
  private final List<Closeable> owned;
  @Nullable private final ExecutorService ownExecutor;
  private final TaskJournal journal;
  private final CycleRunner cycles;
  /** The repository's folder when it is on this machine: no task's source may be it or lie in it. */
  private final Optional<Path> repositoryFolder;

  /** Guards this scheduler's state and serialises its changes to the store. */
  private final Object lock = new Object();
  private boolean closed;
  /** What the last tick decided for the tasks it left alone: a tick logs at INFO when that changes. */
  private String lastTick = "";
  @Nullable private ScheduledExecutorService ticker;

  private Migrations(Builder b, TaskStore store, Repository repo, InstanceProvider provider, List<Closeable> owned) {
    this.store = store;
    this.repo = repo;
    this.clock = b.clock;
    this.tickEvery = b.tickEvery;
    this.resumeInterrupted = b.resumeInterrupted;
    this.owned = owned;
    Executor executor;
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
    this.journal = new TaskJournal(store, provider, clock, b.listener);
    this.repositoryFolder = StoreFolder.of(repo);
    // the local engine also leaves the repository out when a cycle writes to it through a transit
    // instance, which hides its folder from the engine, and the home with the task store and tokens
    Map<Path, String> leaveOut = new LinkedHashMap<>();
    repositoryFolder.ifPresent(f -> leaveOut.put(f, "the repository " + f + " this cycle writes to"));
    if (b.home != null) {
      leaveOut.putIfAbsent(b.home.toAbsolutePath(), "the task store's home " + b.home.toAbsolutePath());
    }
    CycleEngine engine = b.engine != null ? b.engine : new LocalEngine(leaveOut);
    this.cycles = new CycleRunner(lock, journal, repo, provider, executor, b.maxConcurrentCycles, engine);
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
    TaskChanges.Created c;
    synchronized (lock) {
      ensureOpen();
      c = TaskChanges.create(journal, spec, clock.instant(), repositoryFolder);
      if (c.isNew() && spec.runMode() instanceof RunMode.Now) {
        cycles.begin(c.id(), Action.START, RunType.RunNow, false, "run mode now");
      }
    }
    cycles.dispatch();
    return task(c.id());
  }

  /**
   * What would stop {@link #createAll} creating {@code specs} now, spec by spec: a run time not 10
   * minutes to 30 days ahead, an offline source, a task name, image name or client token taken (by
   * a stored task or an earlier spec of the list), a source with an unfinished task. Empty when all
   * can be created.
   */
  public List<BatchError> check(List<TaskSpec> specs) throws IOException {
    synchronized (lock) {
      ensureOpen();
      return TaskChanges.checkAll(store.tasks(), specs, clock.instant(), repositoryFolder);
    }
  }

  /**
   * Creates every task of {@code specs}, or none: with any {@link #check} error nothing is created,
   * and a crash midway leaves none of them (the batch is recorded in the store first; the next
   * scheduler to open the store removes the tasks of a batch cut short). Each created task then
   * follows its run mode, as with {@link #create}. A client token is no shortcut here: one already
   * used is an error. Returns the new tasks in the order of {@code specs}.
   *
   * @throws InvalidSpecException naming {@code specs[i].field} for each error of {@link #check}
   */
  public List<MigrationTask> createAll(List<TaskSpec> specs) throws IOException {
    List<TaskId> ids;
    synchronized (lock) {
      ensureOpen();
      ids = TaskChanges.createAll(journal, specs, clock.instant(), repositoryFolder);
      for (int i = 0; i < ids.size(); i++) {
        if (specs.get(i).runMode() instanceof RunMode.Now) {
          cycles.begin(ids.get(i), Action.START, RunType.RunNow, false, "run mode now");
        }
      }
    }
    cycles.dispatch();
    List<MigrationTask> out = new ArrayList<>();
    for (TaskId id : ids) {
      out.add(task(id));
    }
    return out;
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
    return cutover(name, finalSync, false);
  }

  /**
   * Cuts a Waiting task over as {@link #cutover(String, boolean)} does; with {@code dropExcludes}
   * the final cycle runs without the task's excludes (the best practice: services stopped, the
   * dynamic data that was left out copied once, consistent). The dropped excludes are logged.
   */
  public MigrationTask cutover(String name, boolean finalSync, boolean dropExcludes) throws IOException {
    if (dropExcludes && !finalSync) {
      throw dev.smc.InvalidSpecException.of("dropExcludes", true, "only with a final cycle (cut over with a sync)");
    }
    if (dropExcludes) {
      synchronized (lock) {
        ensureOpen();
        TaskChanges.dropExcludes(journal, journal.find(name));
        return act(name, Action.CUTOVER, RunType.Manual, true, "cut over with a final cycle without excludes");
      }
    }
    if (finalSync) {
      return act(name, Action.CUTOVER, RunType.Manual, true, "cut over with a final cycle");
    }
    synchronized (lock) {
      ensureOpen();
      return TaskChanges.cutoverNow(journal, journal.find(name));
    }
  }

  private MigrationTask act(String name, Action action, RunType type, boolean cutover, String cause) throws IOException {
    TaskId id;
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = journal.find(name);
      action.check(name, t.state());
      id = t.id();
      cycles.begin(id, action, type, cutover, cause);
    }
    cycles.dispatch();
    return task(id);
  }

  /**
   * Pauses a task: a Waiting task becomes Stopped; a Running one in business step Syncing has its
   * cycle interrupted and becomes Stopped once the cycle has stopped (this method waits for that).
   */
  public MigrationTask pause(String name) throws IOException {
    Cycle c;
    TaskId id;
    synchronized (lock) {
      ensureOpen();
      MigrationTask t = journal.find(name);
      Action.PAUSE.check(name, t.state());
      if (t.state() == TaskState.Waiting) {
        return TaskChanges.pauseWaiting(journal, t);
      }
      c = cycles.cycle(t.id());
      if (t.step().orElse(null) != BusinessStep.Syncing) {
        throw new InvalidStateException(name, "pause in business step " + t.step().map(Enum::name).orElse("-")
            + " (only Syncing can be paused)", TaskState.Running);
      }
      if (c == null) {
        // the cycle runs in another process: ask it through the store, and wait for it to stop
        journal.store().requestPause(t.id());
        journal.log(t.id(), "pause requested of the cycle running in another process"
            + t.owner().map(o -> " (pid " + o.pid() + ")").orElse(""), "pause");
      } else {
        journal.log(t.id(), "pause requested: interrupting cycle " + t.lastCycle().map(CycleRecord::number).orElse(0),
            "pause");
        c.pause();
      }
      id = t.id();
    }
    if (c != null) {
      c.await(STOP_WAIT);
      return task(id);
    }
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    MigrationTask now = task(id);
    while (now.state() == TaskState.Running && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SmcException(ErrorCode.CANCELLED, "interrupted while waiting for task '" + name + "' to pause", e);
      }
      now = task(id);
    }
    if (now.state() == TaskState.Running) {
      throw new SmcException(ErrorCode.LOCKED, "task '" + name + "': pause requested, but the cycle running in "
          + "another process" + now.owner().map(o -> " (pid " + o.pid() + ")").orElse("") + " has not stopped within "
          + STOP_WAIT.toSeconds() + " s");
    }
    return now;
  }

  /**
   * Changes name and description (any state), or interval and max images (Ready or Waiting, for an
   * incremental task).
   */
  public MigrationTask modify(String name, Modification m) throws IOException {
    synchronized (lock) {
      ensureOpen();
      return TaskChanges.modify(journal, journal.find(name), m);
    }
  }

  /** Deletes a task in any state but Running: releases its transit instance; its images stay in the repository. */
  public void delete(String name) throws IOException {
    synchronized (lock) {
      ensureOpen();
      TaskChanges.delete(journal, journal.find(name));
    }
  }

  /** Pins or unpins image {@code cycle} of a task: a pinned image is never removed by retention. */
  public MigrationTask pin(String name, int cycle, boolean pinned) throws IOException {
    synchronized (lock) {
      ensureOpen();
      return TaskChanges.pin(journal, repo, journal.find(name), cycle, pinned);
    }
  }

  // ------------------------------------------------------------------ queries

  public MigrationTask task(String name) throws IOException {
    return withProgress(journal.find(name));
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
    return store.log(journal.find(name).id());
  }

  /** The images of a task that exist in the repository, oldest first. */
  public List<ImageInfo> images(String name) throws IOException {
    String image = journal.find(name).spec().imageName();
    return repo.images().stream().filter(i -> i.ref().name().equals(image)).toList();
  }

  /**
   * Waits until the task's queued or running cycle (in this scheduler) has ended, at most
   * {@code timeout}; returns the task then. Returns at once when no cycle of it runs here.
   */
  public MigrationTask awaitCycle(String name, Duration timeout) throws IOException {
    Cycle c;
    synchronized (lock) {
      c = cycles.cycle(journal.find(name).id());
    }
    if (c != null) {
      c.await(timeout);
      return task(c.id());
    }
    return task(name);
  }

  /** Waits until no cycle runs or queues in this scheduler, at most {@code timeout}; returns whether idle. */
  public boolean awaitIdle(Duration timeout) throws IOException {
    return cycles.awaitIdle(timeout);
  }

  // ------------------------------------------------------------------ schedule

  /**
   * Does all work due at the clock's now: recovers abandoned tasks, starts Ready tasks whose run
   * time came, runs interval cycles of Waiting tasks (a tick due while the task's cycle still runs
   * is skipped and logged), expires tasks whose validity ended in Ready, Stopped or InError, and
   * deletes tasks Expired 7 days ago; with {@link Builder#resumeInterrupted} it also resumes the
   * cycles their owner's stop, crash or reboot interrupted. Cycles it starts run on the executor.
   * Its decisions, task by task, are logged in one line (INFO when it acted or they changed, else DEBUG).
   */
  public void tick() throws IOException {
    synchronized (lock) {
      ensureOpen();
      recover();
      lastTick = Schedule.tick(journal, cycles, clock.instant(), resumeInterrupted, lastTick);
    }
    cycles.dispatch();
  }

  /**
   * Under {@link #lock}: batches cut short are undone; tasks abandoned by a dead owner become
   * InError; interrupted deletions complete.
   */
  private void recover() throws IOException {
    Recovery.abortBatches(journal);
    Recovery.recover(journal, id -> cycles.cycle(id) != null);
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
   * {@value #INTERRUPTED}, to be resumed by {@link #start(String)} or by the next scheduler built
   * with {@link Builder#resumeInterrupted}), waits for them to stop, and
   * closes what the builder opened. Every change is already stored.
   */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (ticker != null) {
        ticker.shutdownNow();
      }
    }
    cycles.shutdown(STOP_WAIT);
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

  // ------------------------------------------------------------------ helpers

  private MigrationTask withProgress(MigrationTask t) {
    Progress p = cycles.progress(t.id());
    if (p == null) {
      return t;
    }
    Draft d = new Draft(t);
    d.progress = p;
    return d.build();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this scheduler is closed");
    }
  }

  /** Configures a {@link Migrations}; {@link #build()} opens what was not given under {@link #home}. Not thread-safe. */
  public static final class Builder {
    @Nullable private Path home;
    @Nullable private TaskStore store;
    @Nullable private Repository repository;
    @Nullable private InstanceProvider provider;
    private boolean transitReceivers;
    private Clock clock = Clock.systemUTC();
    @Nullable private Executor executor;
    private int maxConcurrentCycles = DEFAULT_MAX_CONCURRENT_CYCLES;
    private MigrationListener listener = MigrationListener.NONE;
    @Nullable private CycleEngine engine;
    private Duration tickEvery = Duration.ofSeconds(30);
    private boolean resumeInterrupted;

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

    /** Creates and releases transit instances (default: folders under {@code HOME/transit}, see {@link #transitReceivers}). */
    public Builder provider(InstanceProvider provider) {
      this.provider = provider;
      return this;
    }

    /**
     * With {@code true} and no {@link #provider}, every task's transit instance is served by one
     * receiver process on this machine ({@link LocalReceiverProvider} under {@code HOME/transit}:
     * started with the first transit, stopped with the last, a token of its own per transit)
     * serving the repository's folder, and every cycle sends its data through it over HTTPS, as to
     * a transit instance in a cloud. The repository must then be a local folder. Default {@code false}: a
     * transit instance is a folder ({@link LocalInstanceProvider}) and cycles write straight into
     * the repository, with no process to start.
     */
    public Builder transitReceivers(boolean on) {
      this.transitReceivers = on;
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

    /**
     * Runs each cycle (default: the local engines, whose file cycles leave the repository's folder
     * and {@link #home} out of every source, wherever they appear in it).
     */
    public Builder engine(CycleEngine engine) {
      this.engine = engine;
      return this;
    }

    /**
     * With {@code true}, every {@link Migrations#tick()} resumes each task InError
     * {@value Migrations#INTERRUPTED} whose cycle was interrupted by its owner going away (shut down,
     * crashed, or the machine rebooted): the same cycle runs again, with the same number and run type,
     * reusing the chunks already stored. A task whose cycle failed by itself stays InError, and so does
     * one whose cycle has run 10 times, each interrupted (it may be what stops its owner). What a
     * service wants; default {@code false}: only {@link Migrations#start(String)} resumes.
     */
    public Builder resumeInterrupted(boolean on) {
      this.resumeInterrupted = on;
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
      if (transitReceivers && provider != null) {
        throw new IllegalStateException("transitReceivers: only without a provider (one was given: " + provider + ")");
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
      InstanceProvider p = provider;
      if (p == null && transitReceivers) {
        if (!(r.backend() instanceof LocalFolderBackend folder)) {
          String location = r.backend().location();
          for (Closeable c : owned) {
            c.close();
          }
          throw new IllegalStateException("transitReceivers: the repository must be a local folder for a receiver"
              + " to serve; it is " + location);
        }
        p = new LocalReceiverProvider(home.resolve("transit"), folder.root());
      } else if (p == null) {
        p = new LocalInstanceProvider(home.resolve("transit"));
      }
      Migrations m = new Migrations(this, s, r, p, owned);
      synchronized (m.lock) {
        m.recover();
      }
      return m;
    }
  }
}
