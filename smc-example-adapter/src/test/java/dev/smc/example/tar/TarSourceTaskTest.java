package dev.smc.example.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.IntegrityException;
import dev.smc.RunMode;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.LocalInstanceProvider;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.spi.ImageInfo;
import dev.smc.testkit.TreeState;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.repo.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task whose source is the adapter's ({@code tar:PATH}, found through META-INF/services) runs its cycles
 * through {@link Migrations} and the scheduler like any other: a full cycle, then an incremental one after the
 * export changed, each restoring exactly what the archive held.
 */
class TarSourceTaskTest {
  @TempDir
  Path tmp;

  @Test
  void aTaskOnATarExportRunsFullAndIncrementalCyclesThatRestoreTheArchive() throws Exception {
    Path tar = tmp.resolve("web.tar");
    Path files = tmp.resolve("files");
    ServerArchive.write(files, tar, 1);
    Map<String, String> v1 = unpacked(tar, "v1");
    Path home = Files.createDirectories(tmp.resolve("home"));
    try (Repository repo = Repository.open(LocalFolderBackend.open(tmp.resolve("repo")), Repository.options());
        Migrations m = Migrations.builder().home(home).repository(repo)
            .provider(new LocalInstanceProvider(home.resolve("transit"))).executor(Runnable::run).build()) {
      TaskSpec spec = TaskSpec.builder().name("web").source("tar:" + tar).imageName("web")
          .incremental(Duration.ofHours(1), 3).runMode(RunMode.createOnly()).build();
      m.create(spec);
      MigrationTask t = m.start("web");
      assertEquals(TaskState.Waiting, t.state(), t.toString());
      ServerArchive.write(files, tar, 2);
      Map<String, String> v2 = unpacked(tar, "v2");
      t = m.sync("web");
      assertEquals(TaskState.Waiting, t.state(), t.toString());
      List<ImageInfo> images = m.images("web");
      assertEquals(2, images.size(), images.toString());
      assertEquals("tar:" + tar, images.get(1).properties().get("source"));
      assertEquals(v1, restored(repo, images.get(0)));
      assertEquals(v2, restored(repo, images.get(1)));
      assertEquals(java.util.Optional.of(images.get(0).ref()), images.get(1).parent(), "the second cycle is incremental");
    }
  }

  @Test
  void aScheduledCycleRunsTheSourcesOwnHooksAroundItsRead() throws Exception {
    Path tar = tmp.resolve("web.tar");
    ServerArchive.write(tmp.resolve("files"), tar, 1);
    Path home = Files.createDirectories(tmp.resolve("home"));
    HookedTarSourceFactory.CALLS.clear();
    try (Repository repo = Repository.open(LocalFolderBackend.open(tmp.resolve("repo")), Repository.options());
        Migrations m = Migrations.builder().home(home).repository(repo)
            .provider(new LocalInstanceProvider(home.resolve("transit"))).executor(Runnable::run).build()) {
      m.create(TaskSpec.builder().name("hooked").source("tar-hooked:" + tar).imageName("hooked")
          .incremental(Duration.ofHours(1), 3).runMode(RunMode.createOnly()).build());
      m.start("hooked");
      m.sync("hooked");
      assertEquals(2, m.images("hooked").size());
    }
    assertEquals(List.of("open", "before", "after", "close", "open", "before", "after", "close"),
        HookedTarSourceFactory.CALLS);
  }

  @Test
  void anArchiveWhoseEntriesLandOutsideIsRefused() throws Exception {
    Path tar = tmp.resolve("evil.tar");
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
      TarArchiveEntry e = new TarArchiveEntry("../../escape.txt");
      byte[] data = "x".getBytes(StandardCharsets.UTF_8);
      e.setSize(data.length);
      out.putArchiveEntry(e);
      out.write(data);
      out.closeArchiveEntry();
    }
    IntegrityException ex = assertThrows(IntegrityException.class, () -> new TarSource(tar).open());
    assertTrue(ex.getMessage().contains("lands outside the server"), ex.getMessage());
    assertTrue(Files.notExists(tmp.getParent().resolve("escape.txt")));
  }

  private Map<String, String> restored(Repository repo, ImageInfo image) throws Exception {
    Path target = tmp.resolve("restored-" + image.ref());
    new FileRestore(2).restore(repo, image.ref(), target);
    Map<String, String> s = TreeState.of(target);
    s.remove(".");
    return s;
  }

  /** What the system's tar unpacks: the reference every restore is compared with. */
  private Map<String, String> unpacked(Path tar, String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("reference-" + name));
    Process p = new ProcessBuilder("tar", "-xpf", tar.toString(), "-C", dir.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    Map<String, String> s = TreeState.of(dir);
    s.remove(".");
    return s;
  }
}
