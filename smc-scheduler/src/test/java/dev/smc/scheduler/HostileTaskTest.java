package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.FieldError;
import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.RunMode;
import dev.smc.TaskState;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.source.CommandHooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a task refuses or reports that the CLI's migrate does too (issue #11, items 1, 4 and 5). */
class HostileTaskTest {
  @TempDir
  Path tmp;

  @Test
  void aCycleWhosePostSnapshotHookFailsRecordsTheImageItMadeAndTheNextStartMakesTheNextOne() throws Exception {
    AtomicBoolean hookFails = new AtomicBoolean(true);
    CycleEngine hooked = (spec, store, listener) -> FileMigration.builder().listener(listener)
        .hooks(new CommandHooks(Optional.empty(), Optional.of(hookFails.get() ? "echo still frozen; exit 5" : "true"),
            30))
        .build().run(store, Path.of(spec.source()), spec.imageName(), Excludes.NONE, TransferOptions.DEFAULTS);
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = Migrations.builder().home(f.home).repository(f.repo).provider(f.provider).clock(f.clock)
          .executor(Runnable::run).engine(hooked).build();
      f.opened.add(m);
      m.create(f.spec("web", f.source()).runMode(RunMode.now()).build());
      MigrationTask t = m.awaitCycle("web", Duration.ofSeconds(30));
      assertEquals(TaskState.InError, t.state());
      CycleRecord c = t.lastCycle().orElseThrow();
      assertEquals(CycleRecord.Outcome.Failed, c.outcome());
      assertEquals(Optional.of(new ImageRef("web-img", 1)), c.image(), "the record does not name the image made");
      assertTrue(t.error().orElseThrow().contains("image web-img-CYCLE_1 was made, but the post-snapshot hook failed")
          && t.error().get().contains("still frozen"), t.error().toString());
      assertTrue(f.repo.image(new ImageRef("web-img", 1)).isPresent());
      assertTrue(m.logs("web").stream().anyMatch(l -> l.event().contains("its image web-img-CYCLE_1 was made and is"
          + " kept, but the post-snapshot hook failed")), m.logs("web").toString());

      hookFails.set(false);
      m.start("web");
      t = m.awaitCycle("web", Duration.ofSeconds(30));
      assertEquals(TaskState.Finished, t.state(), t.error().toString());
      assertEquals(List.of(1, 2), t.cycles().stream().map(CycleRecord::number).toList());
      assertEquals(Optional.of(new ImageRef("web-img", 2)), t.lastCycle().orElseThrow().image());
    }
  }

  @Test
  void aTaskWhoseSourceIsTheRepositoryOrCannotBeReadIsRefusedAtCreate() throws Exception {
    Path repoDir = tmp.resolve("repo");
    try (Fixture f = new Fixture(tmp, LocalFolderBackend.openWithoutSync(repoDir))) {
      Migrations m = f.open();
      Path fifo = tmp.resolve("fifo");
      Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0);
      Path data = Files.createDirectories(repoDir.resolve("data"));
      for (Path bad : List.of(repoDir, data, fifo, Path.of("/proc/self/status"))) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
            () -> m.create(f.spec("t" + bad.getFileName().toString().replace('.', '-'), bad).build()), bad.toString());
        FieldError err = e.errors().get(0);
        assertEquals("source", err.field(), e.toString());
        assertTrue(err.allowed().contains("allowed a folder, a disk image file"), e.toString());
      }
      assertTrue(m.tasks().isEmpty());
      List<String> refused = m.check(List.of(f.spec("batch", repoDir).build())).stream()
          .map(b -> b.error().allowed()).toList();
      assertEquals(1, refused.size());
      assertTrue(refused.get(0).startsWith("is the repository " + repoDir), refused.toString());
    }
  }

  @Test
  void theRepositoryAndTheHomeInsideATasksSourceAreLeftOutAndTheLogSaysSo() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("server"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    Path repoDir = src.resolve("var/smc-repo");
    try (Fixture f = new Fixture(src.resolve("opt"), LocalFolderBackend.openWithoutSync(repoDir))) {
      Migrations m = Migrations.builder().home(f.home).repository(f.repo).provider(f.provider).clock(f.clock)
          .executor(Runnable::run).build(); // the local engines, as smc task uses them
      f.opened.add(m);
      m.create(f.spec("web", src).runMode(RunMode.now()).build());
      MigrationTask t = m.awaitCycle("web", Duration.ofSeconds(30));
      assertEquals(TaskState.Finished, t.state(), t.error().toString());
      String log = m.logs("web").toString();
      assertTrue(log.contains("var/smc-repo: left out: the repository " + repoDir), log);
      assertTrue(log.contains("opt/home: left out: the task store's home " + f.home), log);
      java.util.Map<String, String> restored = f.restore(t.lastCycle().orElseThrow().image().orElseThrow());
      assertEquals(List.of("app.conf"), List.copyOf(restored.keySet()));
      assertFalse(restored.keySet().stream().anyMatch(k -> k.contains("smc-repo")));
    }
  }
}
