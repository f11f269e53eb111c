package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-level cycles to a receiver on loopback, over HTTPS: a full and an incremental cycle restore
 * exactly, both over HTTPS and from the receiver's folder opened directly, and check clean.
 */
class ReceiverCycleTest {
  private static final String TOKEN = "cycle-token-0123456789abcdef";

  @TempDir
  Path tmp;

  @Test
  void fullAndIncrementalCyclesRestoreExactlyOverHttpsAndFromTheReceiversFolder() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    RandomTree tree = new RandomTree(src, 41);
    tree.create(20);
    Map<ImageRef, Path> expected = new LinkedHashMap<>();
    TransferOptions lz4 = TransferOptions.builder().compressionLevel(1).build();
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", TOKEN)) {
      try (Repository repo = CycleChecks.repository(receiver.open("r1", TOKEN))) {
        CycleReport full = CycleChecks.cycle(repo, src, "web", lz4);
        assertEquals(CycleType.FULL, full.type());
        Trees.snapshot(src, tmp.resolve("at-1"));
        expected.put(full.image(), tmp.resolve("at-1"));

        tree.mutate(12);
        Trees.write(Trees.join(Trees.bytes(src), "new-in-cycle-2.bin"), new byte[300_000]);
        CycleReport incremental = CycleChecks.cycle(repo, src, "web", lz4);
        assertEquals(CycleType.INCREMENTAL, incremental.type());
        assertTrue(incremental.chunksReused() > 0, "an incremental cycle reused no chunk: " + incremental);
        assertTrue(incremental.bytesStored() < full.bytesStored() / 2, "the incremental cycle stored "
            + incremental.bytesStored() + " bytes, the full one " + full.bytesStored());
        Trees.snapshot(src, tmp.resolve("at-2"));
        expected.put(incremental.image(), tmp.resolve("at-2"));
      }
      CycleChecks.assertRestoresAndChecksClean(receiver.open("r1", TOKEN), receiver.root.resolve("r1"), expected,
          tmp.resolve("restored"));
    }
  }
}
