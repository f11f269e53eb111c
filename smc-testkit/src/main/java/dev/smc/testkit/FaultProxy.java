package dev.smc.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;

/**
 * A TCP forwarder on loopback, put between a client and a server to break the network between them
 * on purpose, for machines without a network emulator: it counts the bytes that pass each way, and
 * a test arms faults while traffic flows — cut connections once a number of bytes has passed
 * ({@link #dropAfter}), stop forwarding while keeping every socket open ({@link #stall},
 * {@link #stallFor}), delay every forwarded chunk ({@link #latency}), reset new connections as soon
 * as they arrive ({@link #refuseConnections}).
 *
 * <p>Each accepted connection gets its own connection to the target and two threads that copy
 * bytes, one each way, in chunks of at most 64 KiB as they arrive; a cut resets both sockets (TCP
 * RST), so each side sees its connection reset, as when a link or a middlebox drops it. Byte
 * counts are of bytes let through, not of bytes read: a cut chunk counts only the part that passed.
 *
 * <p>Thread-safe: faults may be armed and counters read from any thread while connections run.
 * Its threads are daemons named {@code smc-testkit-proxy-PORT-…}. {@link #close()} resets every
 * connection and stops listening.
 */
public final class FaultProxy implements Closeable {
  /** Which way bytes flow. */
  public enum Direction {
    /** From the client that connected to the proxy to the target. */
    UPSTREAM,
    /** From the target back to the client. */
    DOWNSTREAM
  }

  private static final int CHUNK = 64 * 1024;

  /** A drop fault: cut a connection once {@code after} bytes passed in {@code direction} since it was armed. */
  private record Drop(Direction direction, long after, boolean repeatedly) {}

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean closed;
  private volatile long latencyNanos;
  private volatile boolean refusing;
  // guarded by this
  private final Map<Direction, Long> bytes = new EnumMap<>(Map.of(Direction.UPSTREAM, 0L, Direction.DOWNSTREAM, 0L));
  @Nullable private Drop drop;
  private boolean stalled;
  private long stalledUntilNanos; // with stalled: when a timed stall ends; 0 until released

  private FaultProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "smc-testkit-proxy-" + server.getLocalPort() + "-accept");
    acceptor.setDaemon(true);
  }

  /** Listens on a free loopback port and forwards every connection to {@code target}. */
  public static FaultProxy start(InetSocketAddress target) throws IOException {
    FaultProxy p = new FaultProxy(Objects.requireNonNull(target, "target"));
    p.acceptor.start();
    return p;
  }

  /** The loopback address clients connect to instead of the target. */
  public InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  public int port() {
    return server.getLocalPort();
  }

  // ---------------------------------------------------------------- counters

  /** Bytes forwarded in {@code direction} since the proxy started, over all connections. */
  public synchronized long bytes(Direction direction) {
    return bytes.get(direction);
  }

  /** Connections accepted and forwarded (not counting refused ones). */
  public int connections() {
    return connections.get();
  }

  /** Connections cut by a fault ({@link #dropAfter} or {@link #cutAll}). */
  public int cuts() {
    return cuts.get();
  }

  /** Connections reset on arrival while {@link #refuseConnections refusing}. */
  public int refused() {
    return refused.get();
  }

  /** Connections open now. */
  public int open() {
    return links.size();
  }

  // ---------------------------------------------------------------- faults

  /**
   * Cuts a connection once {@code bytes} bytes have passed through it in {@code direction},
   * counted from now (or from its start, for a later connection); the chunk that crosses the limit
   * is forwarded only up to it. Once: the first connection to get there is cut and the fault is
   * disarmed. Repeatedly: every connection is cut when it gets there, until {@link #heal()} — so
   * the limit must exceed the longest request the client has to complete. Replaces an earlier drop
   * fault.
   */
  public synchronized void dropAfter(Direction direction, long bytes, boolean repeatedly) {
    Objects.requireNonNull(direction, "direction");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes " + bytes + ": 0 or more allowed");
    }
    drop = new Drop(direction, bytes, repeatedly);
    for (Link l : links) {
      l.armedAt.put(direction, l.passed.get(direction));
    }
  }

  /** Cuts every open connection now. */
  public void cutAll() {
    for (Link l : links) {
      l.cut();
    }
  }

  /** Stops forwarding in both directions, keeping every socket open, until {@link #release()}. */
  public synchronized void stall() {
    stalled = true;
    stalledUntilNanos = 0;
  }

  /** Stops forwarding for {@code duration}, then forwards again by itself (or at {@link #release()}). */
  public synchronized void stallFor(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration " + duration + ": more than zero allowed");
    }
    stalled = true;
    stalledUntilNanos = Math.max(1, System.nanoTime() + duration.toNanos());
  }

  /** Ends a stall: whatever the connections held is forwarded. */
  public synchronized void release() {
    stalled = false;
    notifyAll();
  }

  /** Delays every forwarded chunk, either way, by {@code perChunk} ({@link Duration#ZERO} for none). */
  public void latency(Duration perChunk) {
    if (perChunk.isNegative()) {
      throw new IllegalArgumentException("perChunk " + perChunk + ": zero or more allowed");
    }
    latencyNanos = perChunk.toNanos();
  }

  /** While on, every new connection is reset as soon as it is accepted; open ones go on. */
  public void refuseConnections(boolean on) {
    refusing = on;
  }

  /** Disarms every fault: no drop, no stall, no latency, new connections taken. */
  public synchronized void heal() {
    drop = null;
    latencyNanos = 0;
    refusing = false;
    release();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Link l : links) {
      l.cut();
    }
    synchronized (this) {
      notifyAll();
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[" + address() + " -> " + target + "]";
  }

  // ---------------------------------------------------------------- forwarding

  private void accept() {
    int n = 0;
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        continue; // closed, or a connection that went away before it was taken
      }
      if (refusing) {
        refused.incrementAndGet();
        reset(client);
        continue;
      }
      Link l = new Link(client, server.getLocalPort() + "-" + ++n);
      Thread t = new Thread(l::run, "smc-testkit-proxy-" + l.name + "-up");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // closed already
    }
    try {
      s.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /**
   * Waits while the proxy is stalled; false when the link or the proxy closed meanwhile.
   */
  private synchronized boolean awaitFlowing(Link l) throws InterruptedException {
    while (!l.closed && !closed) {
      if (!stalled) {
        return true;
      }
      if (stalledUntilNanos == 0) {
        wait();
        continue;
      }
      long left = stalledUntilNanos - System.nanoTime();
      if (left <= 0) {
        stalled = false;
        notifyAll();
        return true;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return false;
  }

  /** How many of {@code n} bytes may pass now in {@code d}; -(that number) - 1 when the link is to be cut after them. */
  private synchronized int admit(Link l, Direction d, int n) {
    int pass = n;
    boolean cut = false;
    Drop dr = drop;
    if (dr != null && dr.direction == d) {
      long left = dr.after - (l.passed.get(d) - l.armedAt.get(d));
      if (left <= n) {
        pass = (int) Math.max(0, left);
        cut = true;
        if (!dr.repeatedly) {
          drop = null;
        }
      }
    }
    l.passed.merge(d, (long) pass, Long::sum);
    bytes.merge(d, (long) pass, Long::sum);
    return cut ? -pass - 1 : pass;
  }

  /** One client connection and its connection to the target. */
  private final class Link {
    final String name;
    final Socket client;
    volatile Socket upstream;
    volatile boolean closed;
    final AtomicBoolean ended = new AtomicBoolean();
    final AtomicInteger halfClosed = new AtomicInteger();
    // guarded by the proxy
    final Map<Direction, Long> passed = new EnumMap<>(Map.of(Direction.UPSTREAM, 0L, Direction.DOWNSTREAM, 0L));
    final Map<Direction, Long> armedAt = new EnumMap<>(Map.of(Direction.UPSTREAM, 0L, Direction.DOWNSTREAM, 0L));

    Link(Socket client, String name) {
      this.client = client;
      this.name = name;
    }

    void run() {
      Socket up = new Socket();
      try {
        up.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        up.connect(target, 5_000);
      } catch (IOException e) {
        reset(client); // the target refused or is gone: so is the client's connection
        reset(up);
        return;
      }
      upstream = up;
      links.add(this);
      connections.incrementAndGet();
      if (FaultProxy.this.closed) {
        cut();
        return;
      }
      Thread down = new Thread(() -> pump(up, client, Direction.DOWNSTREAM), "smc-testkit-proxy-" + name + "-down");
      down.setDaemon(true);
      down.start();
      pump(client, up, Direction.UPSTREAM);
    }

    private void pump(Socket from, Socket to, Direction d) {
      byte[] buf = new byte[CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buf);
          if (n < 0) {
            to.shutdownOutput(); // pass the end on; the other way may still have bytes to send
            if (halfClosed.incrementAndGet() == 2) {
              close();
            }
            return;
          }
          if (!awaitFlowing(this)) {
            return;
          }
          long lat = latencyNanos;
          if (lat > 0) {
            Thread.sleep(lat / 1_000_000, (int) (lat % 1_000_000));
          }
          int admitted = admit(this, d, n);
          int pass = admitted < 0 ? -admitted - 1 : admitted;
          if (pass > 0) {
            out.write(buf, 0, pass);
          }
          if (admitted < 0) {
            cut();
            return;
          }
        }
      } catch (IOException e) {
        close(); // one side failed or was reset: the other goes too
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cut();
      }
    }

    /** Resets both sockets (counted as a cut). */
    void cut() {
      end(true);
    }

    /** Closes both sockets after an end or a failure of one side. */
    void close() {
      end(false);
    }

    private void end(boolean reset) {
      closed = true;
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      if (reset) {
        cuts.incrementAndGet();
      }
      links.remove(this);
      if (reset) {
        reset(client);
        Socket up = upstream;
        if (up != null) {
          reset(up);
        }
      } else {
        closeQuietly(client);
        closeQuietly(upstream);
      }
      synchronized (FaultProxy.this) {
        FaultProxy.this.notifyAll(); // a pump held by a stall wakes and ends
      }
    }
  }

  private static void closeQuietly(@Nullable Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
