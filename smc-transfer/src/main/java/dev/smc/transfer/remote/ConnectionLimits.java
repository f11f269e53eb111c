package dev.smc.transfer.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How many connections a {@link Receiver} holds, and for how long. A connection is
 * <em>unauthenticated</em> from its accept until the receiver accepts a request's token on it;
 * until then it must deliver its first request's head (TLS handshake, request line and headers)
 * within {@code headDeadline} of its accept, or it is closed, however slowly it keeps sending; and
 * only {@code unauthenticatedPerAddress} such connections from one address and
 * {@code unauthenticated} in all are held at once (beyond either, a new connection is closed at
 * once). An authenticated connection counts against {@code authenticated} instead and is dropped
 * after {@code idleTimeout} without progress, between requests or inside one.
 *
 * @param headDeadline from accept to the end of the first request's head, unauthenticated (0.1 s-5 min)
 * @param unauthenticatedPerAddress unauthenticated connections from one client address at once (1-65536)
 * @param unauthenticated unauthenticated connections in all at once (1-65536, at least the per-address cap)
 * @param authenticated connections of agents whose token was accepted, at once (1-4096)
 * @param idleTimeout how long an authenticated connection may make no progress (1 s-1 h)
 */
public record ConnectionLimits(Duration headDeadline, int unauthenticatedPerAddress, int unauthenticated,
    int authenticated, Duration idleTimeout) {

  /** 10 s for the first request's head; 64 unauthenticated connections per address, 1024 in all; 64 agents; 60 s idle. */
  public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10), 64, 1024, 64,
      Duration.ofSeconds(60));

  public ConnectionLimits {
    List<String> bad = new ArrayList<>();
    range(bad, "headDeadline", headDeadline, Duration.ofMillis(100), Duration.ofMinutes(5));
    range(bad, "unauthenticatedPerAddress", unauthenticatedPerAddress, 1, 65536);
    range(bad, "unauthenticated", unauthenticated, Math.max(1, unauthenticatedPerAddress), 65536);
    range(bad, "authenticated", authenticated, 1, 4096);
    range(bad, "idleTimeout", idleTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException("connection limits: " + String.join("; ", bad));
    }
  }

  public ConnectionLimits withAuthenticated(int n) {
    return new ConnectionLimits(headDeadline, unauthenticatedPerAddress, unauthenticated, n, idleTimeout);
  }

  public ConnectionLimits withHeadDeadline(Duration d) {
    return new ConnectionLimits(d, unauthenticatedPerAddress, unauthenticated, authenticated, idleTimeout);
  }

  public ConnectionLimits withUnauthenticated(int perAddress, int inAll) {
    return new ConnectionLimits(headDeadline, perAddress, inAll, authenticated, idleTimeout);
  }

  private static void range(List<String> bad, String field, int v, int min, int max) {
    if (v < min || v > max) {
      bad.add(field + " " + v + ": allowed " + min + "-" + max);
    }
  }

  private static void range(List<String> bad, String field, Duration v, Duration min, Duration max) {
    if (v == null || v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      bad.add(field + " " + v + ": allowed " + min + " to " + max);
    }
  }
}
