package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.spi.InstanceProvider.TransitInstance;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second JVM creating transits: {@code DIR REPO WHO N} writes {@code DIR/../WHO.ready}, waits for
 * {@code DIR/../go} (so that two creators begin at once), then creates N transits of task t-WHO-i.
 */
public final class TransitCreator {
  private TransitCreator() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    LocalReceiverProvider p = new LocalReceiverProvider(dir, Path.of(args[1]));
    Files.writeString(dir.resolveSibling(args[2] + ".ready"), "");
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(dir.resolveSibling("go"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no go within 60 s");
      }
      Thread.sleep(5);
    }
    for (int i = 0; i < Integer.parseInt(args[3]); i++) {
      TransitInstance t = p.createTransit(new TaskId("t-" + args[2] + "-" + i));
      System.out.println(t.id() + " " + t.endpoint() + " pid " + p.process().map(ProcessHandle::pid).orElse(-1L));
    }
  }
}
