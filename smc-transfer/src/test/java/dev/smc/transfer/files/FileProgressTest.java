package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.Progress;
import dev.smc.TransferOptions;
import dev.smc.testkit.RecordingListener;
import dev.smc.testkit.RecordingListener.ProgressReported;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a file cycle's progress says: a total from the first snapshot on, the exact one at the end, sent rates. */
class FileProgressTest {
  private static final int KIB = 1024;

  @TempDir
  Path tmp;

  private static List<Progress> progress(RecordingListener l) {
    return l.events().stream().filter(e -> e instanceof ProgressReported).map(e -> ((ProgressReported) e).progress())
        .toList();
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  @Test
  void aFullCycleOfAFileSystemsRootHasATotalFromTheStartAndTheIncrementalOneEstimatesWithTheParent()
      throws Exception {
    // a file system's root, as a server's / or a mount point is: its used bytes are the first estimate
    Path src = Files.createDirectory(tmp.resolve("src"));
    run("mount", "-t", "tmpfs", "-o", "size=64m", "smc-progress-test", src.toString());
    try {
      aCycleOf(src);
    } finally {
      run("umount", src.toString());
    }
  }

  @Test
  void aFolderInsideAFileSystemGetsItsTotalFromTheWalkNotFromTheFileSystemsUse() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("srv/data"));
    Files.write(src.resolve("f"), RandomTree.randomBytes(new SplittableRandom(3), 256 * KIB));
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      RecordingListener l = new RecordingListener();
      CycleReport c = FileMigration.builder().listener(l).build().run(repo, src, "web", Excludes.NONE,
          TransferOptions.DEFAULTS);
      List<Progress> ps = progress(l);
      assertTrue(ps.stream().noneMatch(Progress::totalEstimated), "no guess from the file system's use: " + ps);
      assertTrue(ps.stream().allMatch(p -> p.bytesTotal() == -1 || p.bytesTotal() == c.bytesScanned()), ps.toString());
      assertEquals(100.0, ps.get(ps.size() - 1).percent());
    }
  }

  private void aCycleOf(Path src) throws Exception {
    SplittableRandom rnd = new SplittableRandom(12);
    for (int i = 0; i < 24; i++) {
      Path dir = Files.createDirectories(src.resolve("d" + i % 3));
      Files.write(dir.resolve("f" + i), RandomTree.randomBytes(rnd, 512 * KIB));
    }
    long limitKBps = 4096;
    TransferOptions paced = TransferOptions.builder().bandwidthLimitKBps(limitKBps).build();
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      RecordingListener full = new RecordingListener();
      CycleReport c1 = FileMigration.builder().listener(full).build().run(repo, src, "web", Excludes.NONE, paced);
      List<Progress> ps = progress(full);
      assertTrue(ps.size() >= 4, ps.size() + " snapshots in a cycle of about 3 s");
      Progress first = ps.get(0);
      assertTrue(first.bytesTotal() > 0 && first.totalEstimated(), "the file system's used bytes: " + first);
      assertTrue(first.percent() >= 0 && first.percent() <= 100, first.toString());
      for (Progress p : ps) {
        assertTrue(p.percent() >= 0, p.toString());
        assertTrue(p.bytesScanned() <= p.bytesTotal(), p.toString());
      }
      Progress last = ps.get(ps.size() - 1);
      assertEquals(100.0, last.percent());
      assertFalse(last.totalEstimated());
      assertEquals(c1.bytesScanned(), last.bytesTotal());
      assertEquals(24L * 512 * KIB, last.bytesTotal());
      assertTrue(last.bytesSent() >= c1.bytesStored(), "every pack has left: " + last);
      assertEquals(24, last.filesScanned());
      assertTrue(ps.stream().anyMatch(p -> p.sentBytesPerSecond() > 0 && p.readBytesPerSecond() > 0), ps.toString());
      double most = ps.stream().mapToDouble(Progress::sentBytesPerSecond).max().orElseThrow();
      assertTrue(most < 2.0 * limitKBps * KIB, "sent at most about the limit of " + limitKBps + " KiB/s: " + most);
      assertTrue(ps.stream().anyMatch(p -> !p.totalEstimated() && p.percent() < 100),
          "once the walk has counted, the exact total comes before the end: " + ps);

      Files.write(src.resolve("d0/new"), RandomTree.randomBytes(rnd, 64 * KIB));
      RecordingListener incr = new RecordingListener();
      CycleReport c2 = FileMigration.builder().listener(incr).build()
          .run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      List<Progress> ps2 = progress(incr);
      assertEquals(c1.bytesScanned(), ps2.get(0).bytesTotal(), "the parent image's size is the first estimate");
      assertTrue(ps2.get(0).totalEstimated());
      assertEquals(c2.bytesScanned(), ps2.get(ps2.size() - 1).bytesTotal());
      assertEquals(100.0, ps2.get(ps2.size() - 1).percent());
    }
  }
}
