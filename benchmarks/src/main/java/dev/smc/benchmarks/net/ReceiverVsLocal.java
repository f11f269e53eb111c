package dev.smc.benchmarks.net;

import dev.smc.TransferOptions;
import dev.smc.benchmarks.Runs;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A full file-level cycle of a tree into a local-folder repository and through a receiver, in one
 * long-running agent JVM (as a program embedding smc, or {@code smc serve}, runs cycles), after one
 * untimed cycle of each: this measures the data path, not a fresh JVM's compiling. Runs alternate;
 * the page cache is dropped before each (root). The receiver runs in its own process; each run uses
 * a new repository REPO-N on it (its tokens file must allow REPO-0..REPO-RUNS).
 *
 * <pre>java -cp benchmarks.jar dev.smc.benchmarks.net.ReceiverVsLocal TREE SCRATCH https://HOST:PORT/REPO TOKEN PIN RUNS [ROOT]</pre>
 * With ROOT (the receiver's root folder on this machine), each run's repository there is removed after it.
 * ({@code benchmarks/receiver-vs-local.sh} starts the receiver and runs this after the CLI runs.)
 */
public final class ReceiverVsLocal {
  private ReceiverVsLocal() {}

  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]);
    Path scratch = Path.of(args[1]);
    String endpoint = args[2];
    String token = args[3];
    String pin = args[4];
    int runs = Integer.parseInt(args[5]);
    Optional<Path> receiverRoot = args.length > 6 ? Optional.of(Path.of(args[6])) : Optional.empty();
    String repoName = endpoint.substring(endpoint.lastIndexOf('/') + 1);
    List<Double> local = new ArrayList<>();
    List<Double> remote = new ArrayList<>();
    for (int i = 0; i <= runs; i++) {
      double l = cycle(tree, Repository.open(LocalFolderBackend.open(scratch.resolve("local" + i)),
          Repository.options()));
      Runs.delete(scratch.resolve("local" + i));
      double h = cycle(tree, Repository.open(HttpsBackend.open(endpoint + "-" + i,
          HttpsBackend.Options.of(token, Optional.of(pin))), Repository.options()));
      if (receiverRoot.isPresent()) {
        Runs.delete(receiverRoot.get().resolve(repoName + "-" + i));
      }
      if (i == 0) {
        System.out.printf("warm-up: local %.2f s, receiver %.2f s%n", l, h);
        continue;
      }
      System.out.printf("run %d: local %.2f s, receiver %.2f s%n", i, l, h);
      local.add(l);
      remote.add(h);
    }
    double ml = Runs.median(local);
    double mh = Runs.median(remote);
    System.out.printf("median (warm agent): local %.2f s, receiver %.2f s, receiver speed = %.2fx local%n", ml, mh,
        ml / mh);
  }

  private static double cycle(Path tree, Repository repo) throws IOException, InterruptedException {
    Runs.dropCaches();
    long t0 = System.nanoTime();
    try (repo) {
      FileMigration.builder().build().run(repo, tree, "bench", Excludes.of(List.of()), TransferOptions.DEFAULTS);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

}
