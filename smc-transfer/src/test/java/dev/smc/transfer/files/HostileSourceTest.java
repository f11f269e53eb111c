package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.PostSnapshotException;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.source.CommandHooks;
import dev.smc.testkit.RecordingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an embedding program is protected from by the file engine itself (issue #11, item 8). */
class HostileSourceTest {
  @TempDir
  Path tmp;

  private Path server() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("server/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    Files.writeString(Files.createDirectories(tmp.resolve("server/var")).resolve("log"), "started\n");
    return src.getParent();
  }

  @Test
  void excludesThatLeaveNothingButTheRootSayClearlyThatTheImageIsEmpty() throws Exception {
    Path src = server();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      for (List<String> all : List.of(List.of("*"), List.of("etc/", "/var"))) {
        CycleReport r = FileMigration.builder().build().run(repo, src, "web", Excludes.of(all), TransferOptions.DEFAULTS);
        assertEquals(1, r.warnings().size(), all + ": " + r.warnings());
        assertEquals("/", r.warnings().get(0).path());
        assertTrue(r.warnings().get(0).reason().startsWith("the excludes left nothing of the source but its root folder")
            && r.warnings().get(0).reason().contains(all.toString()), r.warnings().toString());
      }
      CycleReport some = FileMigration.builder().build().run(repo, src, "web", Excludes.of(List.of("etc/")),
          TransferOptions.DEFAULTS);
      assertEquals(List.of(), some.warnings(), "excludes that leave something are no anomaly");
    }
  }

  @Test
  void aKernelInterfaceFolderIsRefusedAsASource() throws Exception {
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      SmcException e = assertThrows(SmcException.class, () -> FileMigration.builder().build()
          .run(repo, Path.of("/proc/sys"), "web", Excludes.NONE, TransferOptions.DEFAULTS));
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
      assertTrue(e.getMessage().contains("kernel interface"), e.getMessage());
      assertEquals(List.of(), repo.images());
    }
  }

  @Test
  void aBadImageNameIsRefusedBeforeAnyDataIsSent() throws Exception {
    Path src = server();
    InMemoryBackend backend = new InMemoryBackend();
    try (Repository repo = Repository.open(backend)) {
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> FileMigration.builder().build()
          .run(repo, src, "w\u00e9b", Excludes.NONE, TransferOptions.DEFAULTS));
      assertEquals("imageName", e.errors().get(0).field());
      assertEquals("w\u00e9b", e.errors().get(0).value());
      assertEquals(List.of(), backend.list("data/"), "data was sent for an image that cannot be committed");
      assertEquals(List.of(), backend.list("index/"));
    }
  }

  @Test
  void aFailingPostSnapshotHookAfterTheCommitSaysWhichImageWasMade() throws Exception {
    Path src = server();
    RecordingListener events = new RecordingListener();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      FileMigration engine = FileMigration.builder().listener(events)
          .hooks(new CommandHooks(Optional.empty(), Optional.of("echo thaw failed; exit 3"), 30)).build();
      PostSnapshotException e = assertThrows(PostSnapshotException.class,
          () -> engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS));
      assertEquals(ErrorCode.HOOK_FAILED, e.code());
      assertEquals("web-CYCLE_1", e.image().toString());
      assertTrue(e.getMessage().startsWith("image web-CYCLE_1 was made, but the post-snapshot hook failed")
          && e.getMessage().contains("exited 3: thaw failed"), e.getMessage());
      assertTrue(repo.image(e.image()).isPresent(), "the image the exception names is not in the repository");
      assertEquals(2, e.report().filesScanned(), "the report is the cycle's: " + e.report());
      assertEquals(List.of(), events.cycleContractViolations());
      assertEquals(List.of(e), events.events(RecordingListener.CycleFailed.class).stream()
          .map(RecordingListener.CycleFailed::cause).toList(), "the listener heard of the failure with the image");
    }
  }
}
