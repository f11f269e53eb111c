package dev.smc.testkit;

import dev.smc.spi.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import javax.annotation.Nullable;

/**
 * A {@link Backend} decorator that fails on purpose, to prove a repository survives faults. It can
 * fail the Nth put, the Nth call of any kind once, every put whose name starts with a prefix, or
 * "crash": from one put, delete or call on (chosen directly or at a seeded random point) every call
 * fails, as when the process dies or the connection drops. Injected failures are {@link InjectedFault}s. With {@link #landFailingPuts}
 * a failing put stores its object before failing (the reply is lost, the write is not).
 * {@link #disarm()} makes it a plain pass-through again, as after a restart.
 *
 * <p>Thread-safe. Puts, deletes and calls of any kind are numbered from 1 in the order they reach
 * this backend, counted from construction or the last {@link #disarm()}.
 */
public final class FaultyBackend implements Backend {

  /** The exception every injected failure throws. */
  public static final class InjectedFault extends IOException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String message) {
      super(message);
    }
  }

  private final Backend delegate;
  private int puts;
  private int failNth;
  @Nullable private String failPrefix;
  private int crashAt;
  private int deletes;
  private int crashAtDelete;
  @Nullable private String crash;
  private boolean crashed;
  private boolean land;
  private int failures;
  private final List<String> failedPuts = new ArrayList<>();
  private int calls;
  private int crashAtCall;
  private int failCall;
  private int actionAt;
  @Nullable private List<String> callLog;
  @Nullable private Runnable action;
  @Nullable private String faultedCall;

  public FaultyBackend(Backend delegate) {
    this.delegate = delegate;
  }

  public Backend delegate() {
    return delegate;
  }

  /** Fails the {@code n}th put (1-based, counted since the last disarm) once. */
  public synchronized FaultyBackend failNthPut(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": puts are numbered from 1");
    }
    failNth = n;
    return this;
  }

  /** Fails every put whose name starts with {@code prefix} until disarmed. */
  public synchronized FaultyBackend failPutsStartingWith(String prefix) {
    failPrefix = prefix;
    return this;
  }

  /** Crashes at the {@code n}th put: it and every later call of any kind fail until disarmed. */
  public synchronized FaultyBackend crashAtPut(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": puts are numbered from 1");
    }
    crashAt = n;
    return this;
  }

  /** Crashes at the {@code n}th delete: it and every later call of any kind fail until disarmed. */
  public synchronized FaultyBackend crashAtDelete(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": deletes are numbered from 1");
    }
    crashAtDelete = n;
    return this;
  }

  /**
   * Crashes at a put chosen by {@code seed} uniformly from 1..{@code bound}; returns its number, so
   * a failing test can print it with the seed.
   */
  public synchronized int crashAtRandomPut(long seed, int bound) {
    if (bound < 1) {
      throw new IllegalArgumentException("bound " + bound + ": at least 1");
    }
    int n = 1 + new SplittableRandom(seed).nextInt(bound);
    crashAtPut(n);
    return n;
  }

  /**
   * Crashes at the {@code n}th call of any kind (put, get, read, size, list, delete, barrier,
   * removeLeftovers; 1-based, counted since the last disarm): it and every later call fail until
   * disarmed. A crashing put or delete lands first when {@link #landFailingPuts} is on.
   */
  public synchronized FaultyBackend crashAtCall(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": calls are numbered from 1");
    }
    crashAtCall = n;
    return this;
  }

  /**
   * Fails the {@code n}th call of any kind once, then goes on working: a passing fault (a dropped
   * connection, a timeout). A failing put or delete lands first when {@link #landFailingPuts} is on.
   */
  public synchronized FaultyBackend failCallOnce(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": calls are numbered from 1");
    }
    failCall = n;
    return this;
  }

  /**
   * Runs {@code what} when the {@code n}th call of any kind arrives, on the calling thread, before
   * the call goes on (a clock that jumps, another process that acts in between). Once.
   */
  public synchronized FaultyBackend atCall(int n, Runnable what) {
    if (n < 1) {
      throw new IllegalArgumentException("n " + n + ": calls are numbered from 1");
    }
    actionAt = n;
    action = what;
    return this;
  }

  /**
   * Records every call from now on as "KIND NAME" in arrival order (numbered as {@link #crashAtCall}
   * numbers them), so a test can aim a fault at one kind of call.
   */
  public synchronized FaultyBackend recordCalls() {
    callLog = new ArrayList<>();
    return this;
  }

  /** The calls recorded since {@link #recordCalls()}; empty when not recording. */
  public synchronized List<String> callLog() {
    return callLog == null ? List.of() : List.copyOf(callLog);
  }

  /** Calls of any kind seen since construction or the last disarm, failed ones included. */
  public synchronized int calls() {
    return calls;
  }

  /** The call that {@link #crashAtCall} or {@link #failCallOnce} failed, as "KIND NAME", if one did. */
  public synchronized Optional<String> faultedCall() {
    return Optional.ofNullable(faultedCall);
  }

  /**
   * Counts a call; returns why it fails by {@link #crashAtCall} or {@link #failCallOnce}, or null.
   * The caller holds the lock.
   */
  @Nullable
  private String countCall(String kind, String name) {
    int n = ++calls;
    if (callLog != null) {
      callLog.add(kind + " " + name);
    }
    if (n == actionAt && action != null) {
      Runnable a = action;
      action = null;
      a.run(); // under this backend's lock: other threads' calls wait, as they would behind a stalled store
    }
    String why = null;
    if (n == crashAtCall) {
      crashed = true;
      why = "crash at call #" + n;
      crash = why;
    } else if (n == failCall) {
      why = "failing call #" + n;
    }
    if (why != null) {
      failures++;
      faultedCall = kind + " " + name;
    }
    return why;
  }

  /** Refuses a call after a crash, counts it, and fails it when it is the one to fail. */
  private void enter(String kind, String name) throws InjectedFault {
    synchronized (this) {
      checkCrashed(kind, name);
      String why = countCall(kind, name);
      if (why != null) {
        throw new InjectedFault("injected fault: " + why + " (" + kind + " '" + name + "')");
      }
    }
  }

  /** Whether a failing put first stores its object (default false: it stores nothing). */
  public synchronized FaultyBackend landFailingPuts(boolean on) {
    land = on;
    return this;
  }

  /** Stops injecting faults and restarts the put count, as after a restart of the process. */
  public synchronized void disarm() {
    failNth = 0;
    failPrefix = null;
    crashAt = 0;
    crashAtDelete = 0;
    crashAtCall = 0;
    failCall = 0;
    actionAt = 0;
    action = null;
    calls = 0;
    faultedCall = null;
    crashed = false;
    crash = null;
    land = false;
    puts = 0;
    deletes = 0;
  }

  /** Puts seen since construction or the last disarm, failed ones included. */
  public synchronized int puts() {
    return puts;
  }

  /** Deletes seen since construction or the last disarm, failed ones included. */
  public synchronized int deletes() {
    return deletes;
  }

  /** Failures injected since construction (a crashed backend's refused calls included). */
  public synchronized int failures() {
    return failures;
  }

  /** The names of the puts that failed by injection (not those refused after a crash), oldest first. */
  public synchronized List<String> failedPuts() {
    return List.copyOf(failedPuts);
  }

  public synchronized boolean crashed() {
    return crashed;
  }

  /** The put at which this backend will crash or crashed, if armed so. */
  public synchronized OptionalInt crashPoint() {
    return crashAt == 0 ? OptionalInt.empty() : OptionalInt.of(crashAt);
  }

  @Override
  public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
    Backend.checkName(name);
    String why;
    boolean landIt;
    synchronized (this) {
      checkCrashed("put", name);
      why = countCall("put", name); // counts the failure when it fails
      int n = ++puts;
      if (why == null) {
        if (n == crashAt) {
          crashed = true;
          why = "crash at put #" + n;
          crash = why;
        } else if (n == failNth) {
          why = "failing put #" + n;
        } else if (failPrefix != null && name.startsWith(failPrefix)) {
          why = "failing puts of '" + failPrefix + "*' (put #" + n + ")";
        }
        if (why != null) {
          failures++;
        }
      }
      if (why != null) {
        failedPuts.add(name);
      }
      landIt = land;
    }
    if (why == null) {
      delegate.put(name, data, mode);
      return;
    }
    if (landIt) {
      delegate.put(name, data, mode);
    }
    throw new InjectedFault("injected fault: " + why + " of '" + name + "'" + (landIt ? " (stored, reply lost)" : ""));
  }

  private void checkCrashed(String call, String name) throws InjectedFault {
    synchronized (this) {
      if (crashed) {
        failures++;
        throw new InjectedFault("injected fault: backend crashed (" + crash + "); " + call + " '" + name
            + "' refused");
      }
    }
  }

  /** Forwards the barrier, so a decorated backend keeps its durability; refused after a crash. */
  @Override
  public void barrier() throws IOException {
    enter("barrier", "");
    delegate.barrier();
  }

  @Override
  public ByteBuffer get(String name) throws IOException {
    enter("get", name);
    return delegate.get(name);
  }

  @Override
  public ByteBuffer get(String name, long offset, int length) throws IOException {
    enter("get", name);
    return delegate.get(name, offset, length);
  }

  @Override
  public Optional<Long> size(String name) throws IOException {
    enter("size", name);
    return delegate.size(name);
  }

  @Override
  public void removeLeftovers() throws IOException {
    enter("removeLeftovers", "");
    delegate.removeLeftovers();
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    enter("list", prefix);
    return delegate.list(prefix);
  }

  @Override
  public void delete(String name) throws IOException {
    Backend.checkName(name);
    String why;
    boolean landIt;
    synchronized (this) {
      checkCrashed("delete", name);
      why = countCall("delete", name);
      int n = ++deletes;
      if (why == null && n == crashAtDelete) {
        crashed = true;
        why = "crash at delete #" + n;
        crash = why;
        failures++;
      }
      landIt = land;
    }
    if (why == null || landIt) {
      delegate.delete(name);
    }
    if (why != null) {
      throw new InjectedFault("injected fault: " + why + " of '" + name + "'" + (landIt ? " (done, reply lost)" : ""));
    }
  }

  @Override
  public String location() {
    return "faulty:" + delegate.location();
  }

  /** Closes the decorated backend. */
  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public synchronized String toString() {
    return "FaultyBackend[" + delegate.location() + ", puts=" + puts + (crashAt > 0 ? ", crashAt=" + crashAt : "")
        + (failNth > 0 ? ", failNth=" + failNth : "") + (failPrefix != null ? ", failPrefix=" + failPrefix : "")
        + (crashed ? ", crashed" : "") + "]";
  }
}
