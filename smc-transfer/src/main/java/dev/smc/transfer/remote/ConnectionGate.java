package dev.smc.transfer.remote;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;

/**
 * The caps and the deadline of {@link ConnectionLimits}: admits a new connection or refuses it
 * (never waits), moves it from unauthenticated to authenticated when its token is accepted, and
 * closes it from a watchdog thread when it is still unauthenticated at its head deadline. A refusal
 * is logged at most once a minute per client address, with the count refused since. Thread-safe.
 */
final class ConnectionGate implements Closeable {
  private static final long LOG_EVERY = TimeUnit.MINUTES.toNanos(1);
  /** Addresses remembered for the refusal log; past this, those not refused within the minute are forgotten. */
  private static final int LOGGED_ADDRESSES = 4096;

  private enum State { UNAUTHENTICATED, AUTHENTICATED, EXPIRED, RELEASED }

  /** One admitted connection; {@code onDeadline} closes it. */
  final class Ticket implements Delayed {
    private final InetAddress address;
    private final Closeable onDeadline;
    private final long deadline;
    private State state = State.UNAUTHENTICATED; // guarded by the gate

    private Ticket(InetAddress address, Closeable onDeadline, long deadline) {
      this.address = address;
      this.onDeadline = onDeadline;
      this.deadline = deadline;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(deadline, ((Ticket) o).deadline);
    }
  }

  private final ConnectionLimits limits;
  private final Map<InetAddress, Integer> unauthenticatedFrom = new HashMap<>();
  private int unauthenticated;
  private int authenticated;
  private final Map<InetAddress, long[]> refusals = new HashMap<>(); // {last logged nanos, refused since}
  private final DelayQueue<Ticket> deadlines = new DelayQueue<>();
  private final AtomicLong cutAtDeadline = new AtomicLong();
  private final AtomicLong refusalsLogged = new AtomicLong();
  private final Thread watchdog;

  ConnectionGate(ConnectionLimits limits, String name) {
    this.limits = limits;
    this.watchdog = new Thread(null, this::watch, "smc-receiver-deadline-" + name, 256 * 1024);
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** A ticket for a connection from {@code from}, or null when it is over a cap (and must be closed at once). */
  @Nullable
  Ticket admit(InetAddress from, Closeable onDeadline) {
    String refused;
    synchronized (this) {
      int fromThere = unauthenticatedFrom.getOrDefault(from, 0);
      if (fromThere >= limits.unauthenticatedPerAddress()) {
        refused = fromThere + " connections from that address are not authenticated yet (at most "
            + limits.unauthenticatedPerAddress() + " allowed)";
      } else if (unauthenticated >= limits.unauthenticated()) {
        refused = unauthenticated + " connections are not authenticated yet (at most " + limits.unauthenticated()
            + " in all allowed)";
      } else {
        unauthenticatedFrom.put(from, fromThere + 1);
        unauthenticated++;
        Ticket t = new Ticket(from, onDeadline, System.nanoTime() + limits.headDeadline().toNanos());
        deadlines.add(t);
        return t;
      }
    }
    logRefusal(from, refused);
    return null;
  }

  /**
   * Counts {@code t} as authenticated from now on (its deadline no longer applies); false when
   * {@link ConnectionLimits#authenticated} connections are so already, or the deadline has passed.
   */
  synchronized boolean authenticate(Ticket t) {
    if (t.state == State.AUTHENTICATED) {
      return true;
    }
    if (t.state != State.UNAUTHENTICATED || authenticated >= limits.authenticated()) {
      return false;
    }
    leaveUnauthenticated(t);
    t.state = State.AUTHENTICATED;
    authenticated++;
    return true;
  }

  /** The connection of {@code t} has ended. */
  synchronized void release(Ticket t) {
    if (t.state == State.AUTHENTICATED) {
      authenticated--;
    } else if (t.state == State.UNAUTHENTICATED || t.state == State.EXPIRED) {
      leaveUnauthenticated(t);
    }
    t.state = State.RELEASED;
  }

  /** How many connections were closed at their head deadline so far. */
  long cutAtDeadline() {
    return cutAtDeadline.get();
  }

  /** How many refusals were logged so far (at most one a minute per address). */
  long refusalsLogged() {
    return refusalsLogged.get();
  }

  synchronized int unauthenticated() {
    return unauthenticated;
  }

  synchronized int authenticated() {
    return authenticated;
  }

  private void leaveUnauthenticated(Ticket t) {
    if (t.state == State.UNAUTHENTICATED || t.state == State.EXPIRED) {
      unauthenticated--;
      unauthenticatedFrom.computeIfPresent(t.address, (a, n) -> n > 1 ? n - 1 : null);
    }
  }

  private void watch() {
    while (true) {
      Ticket t;
      try {
        t = deadlines.take();
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (t.state != State.UNAUTHENTICATED) {
          continue;
        }
        t.state = State.EXPIRED; // still counted until its connection ends and releases it
      }
      cutAtDeadline.incrementAndGet();
      Receiver.LOG.debug("connection from {} closed: no authenticated request within {} ms of its accept",
          t.address.getHostAddress(), limits.headDeadline().toMillis());
      try {
        t.onDeadline.close();
      } catch (IOException | RuntimeException e) {
        // closing anyway
      }
    }
  }

  private void logRefusal(InetAddress from, String why) {
    long now = System.nanoTime();
    long since;
    synchronized (refusals) {
      long[] r = refusals.get(from);
      if (r != null && now - r[0] < LOG_EVERY) {
        r[1]++;
        return;
      }
      if (r == null && refusals.size() >= LOGGED_ADDRESSES) {
        for (Iterator<long[]> it = refusals.values().iterator(); it.hasNext(); ) {
          if (now - it.next()[0] >= LOG_EVERY) {
            it.remove();
          }
        }
        if (refusals.size() >= LOGGED_ADDRESSES) {
          return; // refusals from this many addresses at once: the ones remembered speak for them
        }
      }
      since = r == null ? 0 : r[1];
      refusals.put(from, new long[] {now, 0});
    }
    refusalsLogged.incrementAndGet();
    Receiver.LOG.warn("connection from {} closed at once: {}{}; the next refusals of that address are logged once a"
        + " minute", from.getHostAddress(), why, since > 0 ? " (" + since + " more refused since this was last logged)" : "");
  }

  @Override
  public void close() {
    watchdog.interrupt();
  }
}
