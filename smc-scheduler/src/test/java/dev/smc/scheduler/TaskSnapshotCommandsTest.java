package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.RunMode;
import dev.smc.SnapshotCommands;
import dev.smc.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's own pre- and post-snapshot commands (issue #13: hooks reach a scheduled task): they run
 * around every cycle's read through the scheduler and the local engine, are kept in the task store,
 * a failing pre-snapshot command fails the cycle before anything is read, a failing post-snapshot
 * command keeps the image and names it, and bad commands are refused naming the field.
 */
class TaskSnapshotCommandsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  @Test
  void theCommandsRunAroundEveryCycleAndAreKeptInTheTaskStore() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Path src = f.source();
      Path log = tmp.resolve("hooks.log");
      Path marker = src.resolve("frozen-marker");
      SnapshotCommands commands = new SnapshotCommands(Optional.of("echo pre >> " + log + "; echo frozen > " + marker),
          Optional.of("echo post >> " + log + "; rm " + marker));
      Migrations m = f.openDirect();
      m.create(f.incremental("web", src).snapshotCommands(commands).runMode(RunMode.now()).build());
      MigrationTask t = m.awaitCycle("web", WAIT);
      assertEquals(TaskState.Waiting, t.state(), t.error().toString());
      assertEquals("frozen\n", f.restore(new ImageRef("web-img", 1)).get("frozen-marker"),
          "the pre-snapshot command ran before the read: what it wrote is in the image");
      assertFalse(Files.exists(marker), "the post-snapshot command ran after the read");
      m.sync("web");
      assertEquals(TaskState.Waiting, m.awaitCycle("web", WAIT).state());
      assertEquals(List.of("pre", "post", "pre", "post"), Files.readAllLines(log));
      m.close();
      f.opened.remove(m);

      Migrations again = f.openDirect();
      assertEquals(commands, again.task("web").spec().snapshotCommands(), "read back from the task store");
    }
  }

  @Test
  void aFailingPreSnapshotCommandFailsTheCycleAndAFailingPostSnapshotCommandKeepsTheImage() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.openDirect();
      m.create(f.spec("pre", f.source()).runMode(RunMode.now())
          .snapshotCommands(new SnapshotCommands(Optional.of("echo cannot freeze; exit 3"), Optional.empty())).build());
      MigrationTask t = m.awaitCycle("pre", WAIT);
      assertEquals(TaskState.InError, t.state());
      assertTrue(t.error().orElseThrow().contains("pre-snapshot command 'echo cannot freeze; exit 3' exited 3: cannot"
          + " freeze"), t.error().toString());
      assertEquals(Optional.empty(), t.lastCycle().orElseThrow().image());
      assertTrue(f.repo.images().isEmpty(), "nothing was read, no image made");

      m.create(f.spec("post", f.source()).runMode(RunMode.now())
          .snapshotCommands(new SnapshotCommands(Optional.empty(), Optional.of("exit 4"))).build());
      t = m.awaitCycle("post", WAIT);
      assertEquals(TaskState.InError, t.state());
      assertEquals(Optional.of(new ImageRef("post-img", 1)), t.lastCycle().orElseThrow().image());
      assertTrue(t.error().orElseThrow().contains("post-snapshot command 'exit 4' exited 4"), t.error().toString());
      assertTrue(f.repo.image(new ImageRef("post-img", 1)).isPresent(), "the image made is kept");
    }
  }

  @Test
  void blankOrOverlongCommandsAreRefusedNamingTheField() throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> f.spec("bad", f.source())
          .snapshotCommands(new SnapshotCommands(Optional.of("  "), Optional.of("x".repeat(5000)))).build());
      assertEquals(List.of("preSnapshot", "postSnapshot"), e.errors().stream().map(dev.smc.FieldError::field).toList());
      assertTrue(e.errors().get(1).allowed().contains("1-4096 characters"), e.toString());
      assertTrue(e.errors().get(1).value().length() < 100, "the value is quoted shortened: " + e.errors().get(1));
    }
  }
}
