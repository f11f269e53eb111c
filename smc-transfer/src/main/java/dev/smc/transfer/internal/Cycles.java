package dev.smc.transfer.internal;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.PostSnapshotException;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.spi.ImageStore;
import java.io.IOException;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every engine's cycle shares: listener events exactly once, and failures handed across threads. */
public final class Cycles {
  private static final Logger LOG = LoggerFactory.getLogger(Cycles.class);

  private Cycles() {}

  /** The work of one cycle, given whether it is full or incremental. */
  @FunctionalInterface
  public interface Body {
    CycleReport run(CycleType type) throws IOException;
  }

  /**
   * Runs one cycle of {@code writer}'s image: tells {@code listener} it started, then that it
   * finished or failed (exactly one of them); a listener that throws is logged and ignored.
   */
  public static CycleReport run(MigrationListener listener, ImageStore.ImageWriter writer, Body body)
      throws IOException {
    return run(listener, writer, dev.smc.spi.SnapshotHooks.NONE, body);
  }

  /**
   * As {@link #run(MigrationListener, ImageStore.ImageWriter, Body)}, with {@code hooks} around the
   * read: {@code before()} first (its failure fails the cycle), {@code after()} always once the
   * read ends. When the cycle failed, a failure of {@code after()} is added to the cycle's own; when
   * the cycle committed its image, it is a {@link PostSnapshotException} that carries the report,
   * so a caller can tell "image made, hook failed" from a cycle that made nothing.
   */
  public static CycleReport run(MigrationListener listener, ImageStore.ImageWriter writer,
      dev.smc.spi.SnapshotHooks hooks, Body body) throws IOException {
    return run0(listener, writer, type -> {
      CycleReport r;
      try {
        hooks.before();
        r = body.run(type);
      } catch (IOException | RuntimeException e) {
        try {
          hooks.after();
        } catch (IOException | RuntimeException post) {
          e.addSuppressed(post);
        }
        throw e;
      }
      try {
        hooks.after();
      } catch (IOException | RuntimeException post) {
        throw new PostSnapshotException(r, post);
      }
      return r;
    });
  }

  private static CycleReport run0(MigrationListener listener, ImageStore.ImageWriter writer, Body body)
      throws IOException {
    TaskId task = new TaskId(writer.ref().name());
    int cycle = writer.ref().cycle();
    CycleType type = writer.parent().isPresent() ? CycleType.INCREMENTAL : CycleType.FULL;
    safe(() -> listener.cycleStarted(task, cycle, type));
    try {
      CycleReport report = body.run(type);
      safe(() -> listener.cycleFinished(task, cycle, report));
      return report;
    } catch (SmcException e) {
      safe(() -> listener.cycleFailed(task, cycle, e));
      throw e;
    } catch (IOException | RuntimeException e) {
      SmcException se = new SmcException(ErrorCode.STORE_IO, "cycle " + writer.ref() + " failed: " + e.getMessage(), e);
      safe(() -> listener.cycleFailed(task, cycle, se));
      throw e;
    }
  }

  /** Validates an engine's thread count (1..256); returns it. */
  public static int checkThreads(int threads) {
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads " + threads + ": allowed 1..256");
    }
    return threads;
  }

  /** Calls a listener; what it throws is logged and ignored. */
  public static void safe(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("listener failed (ignored): {}", e.toString());
    }
  }

  /** Rethrows a failure recorded by a worker thread on the thread that drives the cycle. */
  public static void rethrow(@Nullable Throwable t) throws IOException {
    if (t == null) {
      return;
    }
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    throw new IOException(t);
  }
}
