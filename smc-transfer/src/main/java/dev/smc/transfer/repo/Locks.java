package dev.smc.transfer.repo;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.Backend;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Repository locks ({@code locks/<id>}): writers hold shared locks, garbage collection an
 * exclusive one. A lock is written first and the others checked after, so two contenders never
 * both proceed. A lock older than {@link #STALE} without refresh is stale and ignored (its holder
 * died); holders refresh theirs every {@link #REFRESH}.
 */
final class Locks {
  static final Duration STALE = Duration.ofMinutes(30);
  static final Duration REFRESH = Duration.ofMinutes(5);
  private static final String PREFIX = "locks/";

  private final Backend backend;
  private final Clock clock;

  Locks(Backend backend, Clock clock) {
    this.backend = backend;
    this.clock = clock;
  }

  /** A held lock; close releases it. Thread-safe. */
  final class Lock implements AutoCloseable {
    private final String name;
    private final boolean exclusive;
    private volatile Instant written;

    private Lock(String name, boolean exclusive) {
      this.name = name;
      this.exclusive = exclusive;
    }

    private void write() throws IOException {
      written = clock.instant();
      String text = "kind=" + (exclusive ? "exclusive" : "shared") + "\nhost=" + host() + "\npid="
          + ProcessHandle.current().pid() + "\ntime=" + written + "\n";
      backend.put(name, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), Backend.PutMode.REPLACE);
    }

    /** Rewrites the lock's time if it is older than {@link #REFRESH}. */
    void refreshIfDue() throws IOException {
      if (Duration.between(written, clock.instant()).compareTo(REFRESH) > 0) {
        write();
      }
    }

    @Override
    public void close() throws IOException {
      backend.delete(name);
    }
  }

  Lock shared() throws IOException {
    return acquire(false);
  }

  Lock exclusive() throws IOException {
    return acquire(true);
  }

  private Lock acquire(boolean exclusive) throws IOException {
    String id = HexFormat.of().formatHex(randomBytes());
    Lock lock = new Lock(PREFIX + id, exclusive);
    lock.write();
    try {
      for (Backend.ObjectInfo o : backend.list(PREFIX)) {
        if (o.name().equals(lock.name)) {
          continue;
        }
        String text;
        try {
          text = StandardCharsets.UTF_8.decode(backend.get(o.name())).toString();
        } catch (java.nio.file.NoSuchFileException e) {
          continue;
        }
        boolean otherExclusive = text.contains("kind=exclusive");
        Instant t = parseTime(text);
        if (t != null && Duration.between(t, clock.instant()).compareTo(STALE) > 0) {
          continue;
        }
        if (exclusive || otherExclusive) {
          String who = text.replace('\n', ' ').trim();
          throw new SmcException(ErrorCode.LOCKED, "repository " + backend.location() + " is locked ("
              + o.name() + ": " + who + ")" + (exclusive ? "; a cycle is running" : "; garbage collection is running"));
        }
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return lock;
  }

  /** Removes locks older than {@link #STALE}; returns how many. */
  int removeStale() throws IOException {
    int n = 0;
    for (Backend.ObjectInfo o : backend.list(PREFIX)) {
      try {
        Instant t = parseTime(StandardCharsets.UTF_8.decode(backend.get(o.name())).toString());
        if (t == null || Duration.between(t, clock.instant()).compareTo(STALE) > 0) {
          backend.delete(o.name());
          n++;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // released meanwhile
      }
    }
    return n;
  }

  private static Instant parseTime(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("time=")) {
        try {
          return Instant.parse(line.substring(5));
        } catch (RuntimeException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }
}
