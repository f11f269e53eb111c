package dev.smc.scheduler;

import dev.smc.RunMode;
import dev.smc.TaskSpec;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A separate process for {@link RecoveryTest}: opens a scheduler over {@code args[0]}, starts a
 * one-time task on {@code args[1]} whose engine never finishes, prints {@code SYNCING} once the
 * cycle is in business step Syncing, and waits to be killed.
 */
public final class CrashingOwner {
  private CrashingOwner() {}

  public static void main(String[] args) throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    Migrations m = Migrations.builder().home(Path.of(args[0])).engine((spec, store, listener) -> {
      System.out.println("SYNCING");
      System.out.flush();
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.io.IOException("interrupted");
    }).build();
    m.create(TaskSpec.builder().name("crash").source(args[1]).imageName("crash-img").runMode(RunMode.now()).build());
    never.await();
  }
}
