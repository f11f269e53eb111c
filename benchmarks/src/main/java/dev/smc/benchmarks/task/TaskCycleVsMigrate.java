package dev.smc.benchmarks.task;

import dev.smc.TransferOptions;
import dev.smc.benchmarks.Runs;
import dev.smc.scheduler.Migrations;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A task's cycles against plain migration of the same tree in one long-running JVM, as {@code smc serve} (or a
 * program embedding the scheduler) runs an incremental task's cycles: the full cycle and a no-change cycle of an
 * incremental task whose repository is a local folder, so every cycle goes over HTTPS through the home's one
 * receiver (kept running by a keeper task, as it is for every task but a home's first), against
 * {@link FileMigration} into a local folder. Both repositories use an index cache, as the CLI's do. One untimed
 * round first; runs alternate which goes first; the page cache is dropped before every timed cycle (root).
 *
 * <pre>java -cp benchmarks.jar dev.smc.benchmarks.task.TaskCycleVsMigrate TREE SCRATCH RUNS</pre>
 */
public final class TaskCycleVsMigrate {
  private TaskCycleVsMigrate() {}

  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]);
    Path scratch = Files.createDirectories(Path.of(args[1]));
    int runs = Integer.parseInt(args[2]);
    List<double[]> results = new ArrayList<>();
    for (int i = 0; i <= runs; i++) {
      Path home = scratch.resolve("home" + i);
      Path plain = scratch.resolve("plain" + i);
      try (KeptHome h = new KeptHome(home, scratch.resolve("cache"));
          Repository local = Repository.open(LocalFolderBackend.open(plain),
              Repository.options().cacheDir(scratch.resolve("cache")))) {
        Migrations m = h.tasks;
        Supplier<Double> migrate = () -> timed(() -> FileMigration.builder().build()
            .run(local, tree, "bench", Excludes.NONE, TransferOptions.DEFAULTS));
        boolean migrateFirst = i % 2 == 1;
        double[] r = new double[4]; // full migrate, full task, no-change migrate, no-change task
        if (migrateFirst) {
          r[0] = migrate.get();
        }
        r[1] = timed(() -> h.fullCycle("bench", tree));
        if (!migrateFirst) {
          r[0] = migrate.get();
        }
        if (migrateFirst) {
          r[2] = migrate.get();
        }
        r[3] = timed(() -> {
          m.sync("bench");
          m.awaitCycle("bench", KeptHome.WAIT);
        });
        if (!migrateFirst) {
          r[2] = migrate.get();
        }
        check(m, "bench", 2);
        System.out.printf("%s: full migrate %.2f s, task %.2f s; no-change migrate %.2f s, task %.2f s%n",
            i == 0 ? "warm-up" : "run " + i, r[0], r[1], r[2], r[3]);
        if (i > 0) {
          results.add(r);
        }
      }
      Runs.delete(home);
      Runs.delete(plain);
    }
    String[] kind = {"full", "no-change"};
    for (int k = 0; k < 2; k++) {
      int c = k;
      double mm = Runs.median(results.stream().map(r -> r[2 * c]).toList());
      double mt = Runs.median(results.stream().map(r -> r[2 * c + 1]).toList());
      System.out.printf("%s, median of %d: migrate %.2f s, task %.2f s, task / migrate %.2fx%n", kind[k],
          results.size(), mm, mt, mt / mm);
    }
  }

  private static void check(Migrations m, String task, int cycles) throws IOException {
    int made = m.task(task).cycles().size();
    if (made != cycles || m.images(task).size() != cycles) {
      throw new IllegalStateException("task " + task + " made " + made + " cycles, " + m.images(task).size()
          + " images; expected " + cycles + ": " + m.task(task));
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static double timed(Body b) {
    try {
      Runs.dropCaches();
      long t0 = System.nanoTime();
      b.run();
      return (System.nanoTime() - t0) / 1e9;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}
