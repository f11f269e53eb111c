package dev.smc.transfer.repo;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.Backend;
import dev.smc.transfer.internal.HostIdentity;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repository locks ({@code locks/<id>}): writers hold shared locks, garbage collection an
 * exclusive one. A lock is written first and the others read after, so two contenders never both
 * proceed. A held lock is rewritten every {@code refresh} by a timer of its own, whatever its
 * holder is doing. Another lock's age is judged by the backend's time of its object against the
 * backend's time of the lock just written — never by the clock of the host that wrote it — and a
 * lock older than {@code stale} is removed, as is at once a lock whose process is dead on this
 * host. A holder whose lock was removed, or that could not refresh it for half the stale time,
 * has lost it: {@link Lock#verify()} and {@link Lock#checkHeld()} then fail, before a commit or a
 * delete. Thread-safe.
 */
final class Locks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Locks.class);
  static final Duration DEFAULT_REFRESH = Duration.ofMinutes(1);
  static final Duration DEFAULT_STALE = Duration.ofMinutes(10);
  static final String PREFIX = "locks/";

  private final Backend backend;
  private final Clock clock;
  private final Duration refresh;
  private final Duration stale;
  private ScheduledThreadPoolExecutor timer;
  private int held;

  Locks(Backend backend, Clock clock, Duration refresh, Duration stale) {
    this.backend = backend;
    this.clock = clock;
    this.refresh = refresh;
    this.stale = stale;
  }

  Duration stale() {
    return stale;
  }

  /** A held lock; close releases it. Thread-safe. */
  final class Lock implements AutoCloseable {
    private final String name;
    private LockFile content;
    private volatile long lastOkNanos;
    @Nullable private volatile String lost;
    @Nullable private ScheduledFuture<?> task;
    private boolean closed;
    private boolean warned;

    private Lock(String name, String kind) {
      this.name = name;
      Instant now = clock.instant();
      this.content = LockFile.of(kind, now, now);
    }

    String name() {
      return name;
    }

    private void write() throws IOException {
      content = content.refreshedAt(clock.instant());
      backend.put(name, content.encode(), Backend.PutMode.REPLACE);
      lastOkNanos = System.nanoTime();
    }

    /** Rewrites the lock now; fails when it was removed or went too long without a refresh. */
    synchronized void verify() throws IOException {
      checkHeld();
      if (backend.size(name).isEmpty()) {
        lose("it was removed by another process, which judged it stale");
      }
      write();
      warned = false;
    }

    /** Fails, without I/O, when the lock was lost or went too long without a refresh. */
    void checkHeld() {
      long quiet = System.nanoTime() - lastOkNanos;
      if (lost == null && quiet > stale.toNanos() / 2) {
        lose("it was not refreshed for " + Duration.ofNanos(quiet).toSeconds() + " s (the repository could not be"
            + " reached, or this process was suspended), so another process may have judged it stale");
      }
      if (lost != null) {
        throw lostError();
      }
    }

    private void lose(String why) {
      if (lost == null) {
        lost = why;
        LOG.warn("lock {} on {} lost: {}", name, backend.location(), why);
      }
      throw lostError();
    }

    private SmcException lostError() {
      return new SmcException(ErrorCode.LOCKED, "lost the lock " + name + " on repository " + backend.location()
          + ": " + lost + "; stopped before changing anything it protects");
    }

    private void refreshOnTimer() {
      synchronized (this) {
        if (closed || lost != null) {
          return;
        }
        try {
          verify();
        } catch (SmcException e) {
          // lost: recorded; the holder fails at its next check
        } catch (IOException | RuntimeException e) {
          if (!warned) {
            warned = true;
            LOG.warn("lock {} on {} could not be refreshed (retried every {} s): {}", name, backend.location(),
                refresh.toSeconds(), e.toString());
          }
        }
      }
    }

    /**
     * Releases the lock. Failing to remove its object is logged, not thrown: what the lock protected
     * is done (an image committed, a collection finished), and a lock nobody refreshes expires.
     */
    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        if (task != null) {
          task.cancel(false);
        }
      }
      released();
      try {
        backend.delete(name);
      } catch (IOException | RuntimeException e) {
        LOG.warn("lock {} on {} could not be removed; it expires after {} min without refresh: {}", name,
            backend.location(), stale.toMinutes(), e.toString());
      }
    }
  }

  Lock shared() throws IOException {
    return acquire(LockFile.SHARED);
  }

  Lock exclusive() throws IOException {
    return acquire(LockFile.EXCLUSIVE);
  }

  private Lock acquire(String kind) throws IOException {
    Lock lock = new Lock(PREFIX + HexFormat.of().formatHex(randomBytes()), kind);
    lock.write();
    try {
      for (LockInfo other : judge(lock.name, true)) {
        if (conflicts(kind, other)) {
          throw new SmcException(ErrorCode.LOCKED, conflictMessage(kind, other));
        }
      }
    } catch (IOException | RuntimeException e) {
      try {
        backend.delete(lock.name);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    synchronized (this) {
      if (timer == null) {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "smc-lock-refresh");
          t.setDaemon(true);
          return t;
        });
        timer.setRemoveOnCancelPolicy(true);
      }
      held++;
      lock.task = timer.scheduleWithFixedDelay(lock::refreshOnTimer, refresh.toMillis(), refresh.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    return lock;
  }

  private synchronized void released() {
    if (--held == 0 && timer != null) {
      timer.shutdown();
      timer = null;
    }
  }

  private static boolean conflicts(String kind, LockInfo other) {
    if (other.state() == LockInfo.State.UNREADABLE) {
      return true;
    }
    if (other.state() != LockInfo.State.LIVE || other.kind().equals(LockFile.PROBE)) {
      return false;
    }
    return kind.equals(LockFile.EXCLUSIVE) || other.kind().equals(LockFile.EXCLUSIVE);
  }

  private String conflictMessage(String kind, LockInfo other) {
    String repo = "repository " + backend.location();
    String expiry = "; a lock not refreshed for " + stale.toMinutes() + " min is stale and removed by the next"
        + " command, and 'smc unlock' removes stale locks";
    if (other.state() == LockInfo.State.UNREADABLE) {
      return repo + " holds lock " + other.describe() + ", which is not one this smc wrote; it is respected until"
          + " it is stale" + expiry + " ('smc unlock --all' removes it at once)";
    }
    if (other.kind().equals(LockFile.EXCLUSIVE)) {
      return repo + " is locked by garbage collection: " + other.describe() + "; retry when it has finished" + expiry;
    }
    return repo + " is in use by a cycle: " + other.describe() + "; garbage collection needs the repository to"
        + " itself" + expiry;
  }

  /** Every lock, judged by this host's clock; changes nothing (for check). */
  List<LockInfo> status() throws IOException {
    return judge(null, false);
  }

  /**
   * Removes dead and stale locks and, with {@code all}, every other lock too; returns those removed.
   * Writes a probe lock for a moment to learn the backend's time.
   */
  List<LockInfo> unlock(boolean all) throws IOException {
    Lock probe = new Lock(PREFIX + HexFormat.of().formatHex(randomBytes()), LockFile.PROBE);
    probe.write();
    try {
      List<LockInfo> removed = new ArrayList<>();
      for (LockInfo l : judge(probe.name, false)) {
        if (all || l.state() == LockInfo.State.DEAD || l.state() == LockInfo.State.STALE) {
          backend.delete(l.object());
          LOG.info("removed lock {}", l.describe());
          removed.add(l);
        }
      }
      return removed;
    } finally {
      backend.delete(probe.name);
    }
  }

  /**
   * Reads and judges every lock but {@code own}: ages against the backend's time of {@code own}
   * (this host's clock when there is none); with {@code removeExpired}, dead and stale ones are
   * removed and left out.
   */
  private List<LockInfo> judge(@Nullable String own, boolean removeExpired) throws IOException {
    List<Backend.ObjectInfo> objects = backend.list(PREFIX);
    Instant now = null;
    Instant newest = null;
    for (Backend.ObjectInfo o : objects) {
      if (o.name().equals(own)) {
        now = o.modified();
      }
      newest = newest == null || o.modified().isAfter(newest) ? o.modified() : newest;
    }
    if (now == null) {
      // no lock of ours (check), or a store that lists late: the newest time it shows, or ours
      now = own != null && newest != null ? newest : clock.instant();
    }
    List<LockInfo> out = new ArrayList<>();
    for (Backend.ObjectInfo o : objects) {
      if (o.name().equals(own)) {
        continue;
      }
      Optional<LockFile> f;
      try {
        f = LockFile.parse(backend.get(o.name()));
      } catch (NoSuchFileException e) {
        continue; // released meanwhile
      }
      LockInfo info = info(o, f, Duration.between(o.modified(), now));
      if (removeExpired && (info.state() == LockInfo.State.DEAD || info.state() == LockInfo.State.STALE)) {
        backend.delete(o.name());
        LOG.info("removed lock {}", info.describe());
        continue;
      }
      out.add(info);
    }
    return out;
  }

  private LockInfo info(Backend.ObjectInfo o, Optional<LockFile> f, Duration age) {
    boolean old = age.compareTo(stale) > 0;
    if (f.isEmpty()) {
      return new LockInfo(o.name(), "unreadable", null, -1, null, o.modified(), age,
          old ? LockInfo.State.STALE : LockInfo.State.UNREADABLE);
    }
    LockFile l = f.get();
    LockInfo.State state = HostIdentity.self().isDead(l.pidSpace(), l.pid(), l.startedMs()) ? LockInfo.State.DEAD
        : old ? LockInfo.State.STALE : LockInfo.State.LIVE;
    return new LockInfo(o.name(), l.kind(), l.host(), l.pid(), l.since(), o.modified(), age, state);
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
