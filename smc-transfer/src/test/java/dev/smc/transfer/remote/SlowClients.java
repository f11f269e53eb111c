package dev.smc.transfer.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Slowloris attackers against a receiver: each holds one connection from its own source address,
 * never finishing what it started, and connects again at once when the receiver closes it. Three
 * kinds, taken in turn: one that connects and sends nothing, one that sends a real TLS ClientHello
 * a byte a second, and one that completes the TLS handshake and then sends a request's head a byte
 * a second (it never ends). The pause between bytes is a read with a one-second timeout, which is
 * also how an attacker sees the receiver close it. Thread-safe.
 */
final class SlowClients implements AutoCloseable {
  enum Kind { SILENT, DRIP_HELLO, DRIP_HEADERS }

  /** What the attackers of one kind saw. */
  static final class Tally {
    final AtomicLong connects = new AtomicLong();
    /** Connections the receiver ended (closed or reset), at once or later. */
    final AtomicLong cut = new AtomicLong();
    /** The longest any connection of this kind was held before the receiver ended it. */
    final AtomicLong longestHeldMs = new AtomicLong();
    private final AtomicBoolean heldCut = new AtomicBoolean();

    @Override
    public String toString() {
      return connects + " connects, " + cut + " cut by the receiver, longest held " + longestHeldMs + " ms";
    }
  }

  private static final byte[] HEAD = ("GET /v1/r1/list HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Slow: "
      + "a".repeat(4096)).getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress target;
  private final SSLContext tls;
  private final byte[] clientHello;
  private final Map<Kind, Tally> tallies = new EnumMap<>(Kind.class);
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch connected;
  private final CountDownLatch cutEachKind = new CountDownLatch(Kind.values().length);
  private volatile boolean stopped;

  private SlowClients(InetSocketAddress target, String pin, int count) throws Exception {
    this.target = target;
    this.tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new PinnedTrust(pin)}, null);
    SSLEngine e = tls.createSSLEngine(target.getHostString(), target.getPort());
    e.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
    e.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    this.clientHello = new byte[out.remaining()];
    out.get(clientHello);
    this.connected = new CountDownLatch(count);
    for (Kind k : Kind.values()) {
      tallies.put(k, new Tally());
    }
  }

  /** Starts {@code count} attackers against {@code target}, spread over the source addresses {@code from}. */
  static SlowClients start(InetSocketAddress target, String pin, List<InetAddress> from, int count) throws Exception {
    SlowClients s = new SlowClients(target, pin, count);
    for (int i = 0; i < count; i++) {
      Kind kind = Kind.values()[i % Kind.values().length];
      InetAddress source = from.get(i % from.size());
      Thread t = new Thread(null, () -> s.attack(kind, source), "slow-" + kind + "-" + i, 256 * 1024);
      t.setDaemon(true);
      s.threads.add(t);
      t.start();
    }
    return s;
  }

  /** Waits until every attacker has connected once; false after {@code max}. */
  boolean awaitConnected(Duration max) throws InterruptedException {
    return connected.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many attackers have not connected yet. */
  long notConnected() {
    return connected.getCount();
  }

  /** Waits until the receiver has cut a held connection of every kind; false after {@code max}. */
  boolean awaitCutEachKind(Duration max) throws InterruptedException {
    return cutEachKind.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  Tally tally(Kind k) {
    return tallies.get(k);
  }

  /** Connections held open at this moment. */
  int held() {
    return open.size();
  }

  private void attack(Kind kind, InetAddress source) {
    Tally tally = tallies.get(kind);
    boolean first = true;
    while (!stopped) {
      Socket raw = new Socket();
      open.add(raw);
      try {
        raw.bind(new InetSocketAddress(source, 0));
        raw.connect(target, 30_000);
        tally.connects.incrementAndGet();
        if (first) {
          connected.countDown();
          first = false;
        }
        long start = System.nanoTime();
        try {
          hold(kind, raw);
        } catch (IOException e) {
          // reset or closed by the receiver: cut, as an end of stream is
        }
        if (!stopped) {
          long held = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          tally.longestHeldMs.accumulateAndGet(held, Math::max);
          tally.cut.incrementAndGet();
          if (held >= 1000 && tally.heldCut.compareAndSet(false, true)) {
            cutEachKind.countDown(); // held for a while, then cut: not refused at once
          }
        }
      } catch (IOException e) {
        // the connect failed (the receiver is gone, or its backlog full): a moment, then again
        if (!stopped) {
          pause();
        }
      } finally {
        close(raw);
        open.remove(raw);
      }
    }
  }

  /** Holds the connection until the receiver ends it (returns) or the attackers stop. */
  private void hold(Kind kind, Socket raw) throws IOException {
    switch (kind) {
      case SILENT -> {
        raw.setSoTimeout(0);
        while (raw.getInputStream().read() >= 0) {
          // whatever it says, say nothing
        }
      }
      case DRIP_HELLO -> drip(raw, raw.getOutputStream(), raw.getInputStream(), clientHello);
      case DRIP_HEADERS -> {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, target.getHostString(), target.getPort(), true);
        ssl.setSoTimeout(30_000);
        ssl.startHandshake();
        drip(ssl, ssl.getOutputStream(), ssl.getInputStream(), HEAD);
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  /** Sends {@code bytes} one a second, then nothing, until the other side ends the connection. */
  private void drip(Socket s, OutputStream out, InputStream in, byte[] bytes) throws IOException {
    s.setSoTimeout(1000);
    for (int i = 0; !stopped; i++) {
      if (i < bytes.length) {
        out.write(bytes[i]);
        out.flush();
      }
      try {
        if (in.read() < 0) {
          return;
        }
      } catch (SocketTimeoutException e) {
        // a second without an answer: the next byte
      }
    }
  }

  /** After a refused connect, a moment before the next. */
  private static void pause() {
    try {
      Thread.sleep(50); // an attacker's pause after a refusal, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // gone
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    open.forEach(SlowClients::close);
    for (Thread t : threads) {
      t.join(5_000);
    }
  }
}
