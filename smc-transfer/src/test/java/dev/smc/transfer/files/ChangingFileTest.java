package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleWarning;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.repo.Repository;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file that keeps changing while a cycle reads it is re-read, then reported; the image stays consistent. */
class ChangingFileTest {
  @TempDir
  Path tmp;

  @Test
  void aFileAppendedToThroughoutTheCycleIsReportedAndStoredAsLastRead() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    byte[] base = RandomTree.randomBytes(new SplittableRandom(7), 24 << 20);
    Path log = src.resolve("busy.log");
    Files.write(log, base);
    Files.writeString(src.resolve("quiet.txt"), "unchanged\n");
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      byte[] line = "another line of a busy log\n".getBytes();
      try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
        while (!stop.get()) {
          out.write(line);
          out.flush();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "appender");
    writer.start();
    CycleReport r;
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      try {
        r = FileMigration.builder().threads(2).build().run(repo, src, "busy", Excludes.NONE, TransferOptions.DEFAULTS);
      } finally {
        stop.set(true);
        writer.join();
      }
      CycleWarning w = r.warnings().stream().filter(x -> x.path().equals("busy.log")).findFirst()
          .orElseThrow(() -> new AssertionError("no warning for the changing file: " + r.warnings()));
      assertTrue(w.reason().contains("changed while read"), w.reason());
      assertEquals(1, r.warnings().size(), r.warnings().toString());
      assertTrue(r.bytesRead() >= 3L * base.length, "it was read " + r.bytesRead() + " bytes, not 3 times");

      Path out = tmp.resolve("restored");
      new FileRestore(2).restore(repo, r.image(), out);
      byte[] restored = Files.readAllBytes(out.resolve("busy.log"));
      byte[] now = Files.readAllBytes(log);
      // the image holds the file as one of its reads found it: the original content, then whole appended lines
      assertTrue(restored.length >= base.length && restored.length <= now.length, "size " + restored.length);
      assertArrayEquals(Arrays.copyOf(now, restored.length), restored);
      assertEquals("unchanged\n", Files.readString(out.resolve("quiet.txt")));
    }
  }
}
