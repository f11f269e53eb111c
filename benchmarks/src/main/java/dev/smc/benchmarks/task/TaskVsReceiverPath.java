package dev.smc.benchmarks.task;

import dev.smc.TransferOptions;
import dev.smc.benchmarks.Runs;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.repo.Repository;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a task's full cycle spends what it costs more than plain migration: the task (scheduler, store,
 * transit) against {@link FileMigration} through the same kind of receiver, a home's, with a transit's token.
 * Each run has two new homes, each with a keeper task holding its receiver; the page cache is dropped before each
 * timed cycle (root).
 *
 * <pre>java -cp benchmarks.jar dev.smc.benchmarks.task.TaskVsReceiverPath TREE SCRATCH RUNS</pre>
 */
public final class TaskVsReceiverPath {
  private TaskVsReceiverPath() {}

  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]);
    Path scratch = Files.createDirectories(Path.of(args[1]));
    int runs = Integer.parseInt(args[2]);
    for (int i = 1; i <= runs; i++) {
      double plain = cycle(scratch.resolve("plain" + i), tree, false);
      double task = cycle(scratch.resolve("task" + i), tree, true);
      System.out.printf("run %d: FileMigration through the home's receiver %.2f s, task %.2f s%n", i, plain, task);
    }
  }

  private static double cycle(Path home, Path tree, boolean asTask) throws Exception {
    double took;
    try (KeptHome h = new KeptHome(home, home.resolve("cache"))) {
      Runs.dropCaches();
      long t0 = System.nanoTime();
      if (asTask) {
        h.fullCycle("bench", tree);
      } else {
        Path receiver = home.resolve("transit/receiver");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(receiver.resolve("receiver.properties"))) {
          p.load(in);
        }
        String token = Files.readAllLines(receiver.resolve("tokens")).get(0).split(" ")[1]; // the keeper's
        HttpsBackend b = HttpsBackend.open("https://127.0.0.1:" + p.getProperty("port") + "/repo",
            HttpsBackend.Options.of(token, Optional.of(p.getProperty("fingerprint"))));
        try (Repository r = h.repo.openThrough(b)) {
          FileMigration.builder().build().run(r, tree, "plain", Excludes.NONE, TransferOptions.DEFAULTS);
        }
      }
      took = (System.nanoTime() - t0) / 1e9;
    }
    Runs.delete(home);
    return took;
  }
}
