package dev.smc.transfer.files;

import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.TaskId;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.Cycles;
import dev.smc.transfer.internal.ProgressMeter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one file cycle has counted, and the progress it reports from that: the walk's counts are
 * kept on the cycle's thread, the readers' in atomics. {@link #progress} is called on the cycle's
 * thread, and on a pool thread while the image is committed.
 */
final class FileCounts {
  private final MigrationListener listener;
  private final TaskId task;
  private final ImageStore.ImageWriter writer;
  private final ProgressMeter meter = new ProgressMeter(System::nanoTime);
  private long lastProgress;
  private boolean walked;

  long files;
  long bytesScanned;
  long filesReused;
  /** Unchanged files read again because the parent's chunks of them are no longer stored. */
  long filesRecovered;
  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong chunksNew = new AtomicLong();
  final AtomicLong chunksReused = new AtomicLong();
  /** Bytes of files walked whose reading has not finished: walked, not yet done. */
  final AtomicLong pendingBytes = new AtomicLong();

  FileCounts(MigrationListener listener, TaskId task, ImageStore.ImageWriter writer) {
    this.listener = listener;
    this.task = task;
    this.writer = writer;
  }

  /** The bytes the source is thought to hold before the walk has counted them. */
  void estimate(long bytes) {
    meter.estimate(bytes);
  }

  /** The walk has ended: the bytes it counted are the total. */
  void walked() {
    walked = true;
    meter.exact(bytesScanned);
  }

  void progress(boolean last) {
    long now = System.nanoTime();
    if (!last && now - lastProgress < 250_000_000L) {
      return;
    }
    lastProgress = now;
    if (!walked) {
      meter.raiseEstimate(bytesScanned); // the walk has counted more than the estimate
    }
    // done: walked and read (or reused); a file walked but still being read is not done yet
    long done = last ? bytesScanned : Math.max(0, bytesScanned - pendingBytes.get());
    Progress p = meter.snapshot(done, bytesRead.get(), writer.bytesStored(), writer.bytesSent(), files);
    Cycles.safe(() -> listener.progress(task, p));
  }
}
