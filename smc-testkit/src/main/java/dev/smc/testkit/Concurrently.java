package dev.smc.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs jobs on several threads at once, for the contracts' thread-safety tests (smc's and a vendor's own). */
public final class Concurrently {
  private Concurrently() {}

  /** A job that knows which of the threads (0 .. n-1) runs it. */
  public interface IndexedJob<T> {
    T run(int index) throws Exception;
  }

  /** Runs {@code task} on {@code threads} threads at once; returns their results in order, rethrows the first failure. */
  public static <T> List<T> run(int threads, Callable<T> task) throws Exception {
    return run(threads, i -> task.call(), 100);
  }

  /** What {@code job} gives for 0 .. n-1, each on its own thread at once (100 s each); rethrows the first failure. */
  public static <T> List<T> run(int n, IndexedJob<T> job) throws Exception {
    return run(n, job, 100);
  }

  /**
   * What {@code job} gives for 0 .. n-1, each on its own thread at once, each given {@code timeoutSeconds};
   * rethrows the first failure.
   */
  public static <T> List<T> run(int n, IndexedJob<T> job, long timeoutSeconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        fs.add(pool.submit((Callable<T>) () -> job.run(index)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        try {
          out.add(f.get(timeoutSeconds, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception x ? x : e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
