package dev.smc.transfer.repo;

import dev.smc.transfer.internal.HostIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * The content of a lock object: a few {@code key=value} lines saying what kind of lock it is, who
 * holds it (host, pid space, pid, process start) and since when. Ages are judged by the backend's
 * time of the object, not by these times, which are only for messages.
 */
record LockFile(String kind, String host, @Nullable String pidSpace, long pid, long startedMs, Instant since,
    Instant refreshed) {

  static final String SHARED = "shared";
  static final String EXCLUSIVE = "exclusive";
  /** Written briefly by a command that needs the backend's time (unlock); never conflicts. */
  static final String PROBE = "probe";

  static LockFile of(String kind, Instant since, Instant refreshed) {
    HostIdentity me = HostIdentity.self();
    return new LockFile(kind, me.hostName, me.pidSpace, me.pid, me.startedMs, since, refreshed);
  }

  LockFile refreshedAt(Instant t) {
    return new LockFile(kind, host, pidSpace, pid, startedMs, since, t);
  }

  ByteBuffer encode() {
    StringBuilder sb = new StringBuilder("kind=").append(kind).append('\n');
    sb.append("host=").append(host).append('\n');
    if (pidSpace != null) {
      sb.append("pidspace=").append(pidSpace).append('\n');
    }
    sb.append("pid=").append(pid).append('\n');
    if (startedMs > 0) {
      sb.append("started=").append(startedMs).append('\n');
    }
    sb.append("time=").append(since).append('\n');
    sb.append("refreshed=").append(refreshed).append('\n');
    return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The lock in {@code raw}, or empty when it is not one this smc wrote (garbage, an unknown kind, a bad time). */
  static Optional<LockFile> parse(ByteBuffer raw) {
    if (raw.remaining() > 4096) {
      return Optional.empty();
    }
    Map<String, String> f = new HashMap<>();
    for (String line : StandardCharsets.UTF_8.decode(raw.duplicate()).toString().split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0 || f.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
        return Optional.empty(); // not key=value, or a key twice
      }
    }
    String kind = f.get("kind");
    if (!SHARED.equals(kind) && !EXCLUSIVE.equals(kind) && !PROBE.equals(kind) || f.get("host") == null) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(f.getOrDefault("pid", ""));
      long started = f.containsKey("started") ? Long.parseLong(f.get("started")) : -1;
      Instant since = Instant.parse(f.getOrDefault("time", ""));
      Instant refreshed = f.containsKey("refreshed") ? Instant.parse(f.get("refreshed")) : since;
      return Optional.of(new LockFile(kind, f.get("host"), f.get("pidspace"), pid, started, since, refreshed));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
