package dev.smc.transfer.repo;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * One lock object of a repository ({@code locks/<id>}) as another process sees it: who holds it,
 * since when, when the backend last saw it refreshed, and what that means. Immutable.
 *
 * @param object the lock's object name
 * @param kind {@code shared} (a cycle writing), {@code exclusive} (garbage collection), {@code probe}
 *     (a command measuring the backend's time), or {@code unreadable}
 * @param host the holder's host name, or null when unreadable
 * @param pid the holder's process id, or -1 when unreadable
 * @param since when the holder took it, by the holder's clock (for messages only), or null
 * @param modified when the backend last stored it (the holder's last refresh), by the backend's clock
 * @param age how long ago that was, by the backend's clock where it could be measured
 * @param state what the lock is worth
 */
public record LockInfo(String object, String kind, @Nullable String host, long pid, @Nullable Instant since,
    Instant modified, Duration age, State state) {

  /** What a lock found in the repository is worth. */
  public enum State {
    /** Held by a live process (or one on another host, refreshed recently): it is respected. */
    LIVE,
    /** Its process is dead on this host: removed at once by the next command. */
    DEAD,
    /** Not refreshed for longer than the stale time: its holder is gone; removed by the next command. */
    STALE,
    /** Not a lock this smc wrote (garbage, or cut short); respected until it is stale, then removed. */
    UNREADABLE
  }

  /** One line for messages: which lock, whose, since when. */
  public String describe() {
    StringBuilder sb = new StringBuilder(object).append(" (");
    if (state == State.UNREADABLE) {
      sb.append("unreadable");
    } else {
      sb.append(kind.equals("exclusive") ? "exclusive, garbage collection" : kind.equals("shared") ? "shared, a cycle"
          : kind).append(", pid ").append(pid).append(" on ").append(host);
      if (since != null) {
        sb.append(", since ").append(since);
      }
    }
    sb.append(", last refreshed ").append(seconds(age)).append(" ago");
    switch (state) {
      case DEAD -> sb.append("; its process is no longer running");
      case STALE -> sb.append("; stale");
      default -> { }
    }
    return sb.append(')').toString();
  }

  private static String seconds(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 120 ? s + " s" : String.format(Locale.ROOT, "%d min", s / 60);
  }
}
