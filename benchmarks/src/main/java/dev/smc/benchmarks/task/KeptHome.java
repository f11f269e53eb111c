package dev.smc.benchmarks.task;

import dev.smc.RunMode;
import dev.smc.TaskSpec;
import dev.smc.scheduler.Migrations;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A task home whose repository is a local folder (so cycles go through the home's receiver), with a keeper task
 * that holds the receiver running, as on a machine with tasks: the benchmarks' tasks find it serving.
 */
final class KeptHome implements AutoCloseable {
  static final Duration WAIT = Duration.ofMinutes(10);

  final Repository repo;
  final Migrations tasks;

  /**
   * Opens {@code home} (its repository with an index cache in {@code cache}) and runs its keeper's first cycle,
   * of a one-file folder beside the home.
   */
  KeptHome(Path home, Path cache) throws IOException {
    Path keeper = Files.createDirectories(home.resolveSibling(home.getFileName() + "-keeper")); // not in the home
    Files.writeString(keeper.resolve("file"), "keep\n");
    repo = Repository.open(LocalFolderBackend.open(home.resolve("repo")), Repository.options().cacheDir(cache));
    try {
      tasks = Migrations.builder().home(home).repository(repo).transitReceivers(true).build();
      tasks.create(spec("keeper", keeper, 1));
      tasks.awaitCycle("keeper", WAIT);
    } catch (IOException | RuntimeException e) {
      repo.close();
      throw e;
    }
  }

  /** An incremental task {@code name} of {@code tree} made now: its full cycle, waited for. */
  void fullCycle(String name, Path tree) throws IOException {
    tasks.create(spec(name, tree, 10));
    tasks.awaitCycle(name, WAIT);
  }

  private static TaskSpec spec(String name, Path source, int maxImages) {
    return TaskSpec.builder().name(name).source(source.toString()).imageName(name)
        .incremental(Duration.ofDays(1), maxImages).runMode(RunMode.now()).build();
  }

  /** Deletes the home's tasks (the last releases the receiver, which stops) and closes. */
  @Override
  public void close() throws IOException {
    try (repo; tasks) {
      for (var t : tasks.tasks()) {
        tasks.delete(t.spec().name());
      }
    }
  }
}
