package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.RunMode;
import dev.smc.TaskSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A separate process for {@link RecoveryTest} and {@link ResumeTest}: opens a scheduler over {@code args[0]}, starts a
 * one-time task on {@code args[1]} whose engine never finishes, prints {@code SYNCING} once the
 * cycle is in business step Syncing, and waits to be killed.
 */
public final class CrashingOwner {
  private CrashingOwner() {}

  /**
   * Runs one in a child process over {@code home} and {@code src}, waits until its cycle is Syncing and
   * kills it (SIGKILL: no shutdown hook, no finally), as a crash would; returns the child's pid.
   */
  static long crashWhileSyncing(Path home, Path src) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CrashingOwner.class.getName(), home.toString(), src.toString())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("SYNCING")) {
        // the child's log lines
      }
      assertEquals("SYNCING", line, "the child process never reached Syncing");
      p.destroyForcibly();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    }
    return p.pid();
  }

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
