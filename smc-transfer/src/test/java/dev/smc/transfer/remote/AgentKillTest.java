package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.testkit.FaultProxy;
import dev.smc.testkit.FaultProxy.Direction;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.repo.StoredChunks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the agent in the middle of a cycle: an agent in a process of its own ({@link AgentMain})
 * sends a cycle to a receiver and is killed once some packs have landed. The cycle run again in
 * this process completes, stores only what the killed one had not (its packs, which no index lists
 * yet, are adopted), sends less than a clean cycle by those packs, restores exactly and checks clean.
 */
class AgentKillTest {
  private static final String CLEAN = "clean-token-0123456789abcdef";
  private static final String KILLED = "killed-token-0123456789abcdef";

  @TempDir
  Path tmp;

  @Test
  void aCycleRunAgainAfterTheAgentWasKilledSendsOnlyWhatHadNotLandedAndRestoresExactly() throws Exception {
    Path src = CycleChecks.smallTree(tmp.resolve("src"), 11);
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "clean", CLEAN, "killed", KILLED);
        FaultProxy proxy = FaultProxy.start(new InetSocketAddress("127.0.0.1", receiver.receiver.port()))) {
      String viaProxy = "https://127.0.0.1:" + proxy.port() + "/";
      CycleReport clean;
      try (Repository repo = CycleChecks.repository(HttpsBackend.open(viaProxy + "clean", receiver.options(CLEAN)))) {
        clean = CycleChecks.cycle(repo, src, "killed", TransferOptions.DEFAULTS);
      }
      long cleanSent = proxy.bytes(Direction.UPSTREAM);

      Path folder = receiver.folder("killed");
      Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
          receiver.endpoint("killed"), KILLED, receiver.receiver.fingerprint(), src.toString(), "768")
          .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (packs(folder) < 3) {
          assertTrue(agent.isAlive(), "the agent ended (exit " + (agent.isAlive() ? "-" : agent.exitValue())
              + ") before 3 packs landed: " + Files.readString(tmp.resolve("agent.log")));
          assertTrue(System.nanoTime() < deadline, "no 3 packs landed in 60 s: " + Files.readString(tmp.resolve("agent.log")));
          Thread.sleep(10);
        }
      } finally {
        agent.destroyForcibly(); // SIGKILL: no shutdown hook, no close, sockets reset by the kernel
        assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the killed agent did not end");
      }
      receiver.restart(Duration.ofSeconds(10)); // an upload that had arrived whole is stored before we look
      long survived = CycleChecks.storedChunkBytes(folder);
      long packBytes;
      try (Repository direct = Repository.open(LocalFolderBackend.open(folder))) {
        assertEquals(List.of(), direct.images(), "images after the agent was killed mid-cycle");
        packBytes = StoredChunks.bytes(direct.backend(), "data/");
      }
      assertTrue(packs(folder) >= 3 && survived < clean.bytesStored(), "the kill left " + packs(folder)
          + " packs with " + survived + " of " + clean.bytesStored() + " bytes");

      long sentBefore = proxy.bytes(Direction.UPSTREAM);
      CycleReport rerun;
      try (Repository repo = CycleChecks.repository(HttpsBackend.open(viaProxy + "killed", receiver.options(KILLED)))) {
        rerun = CycleChecks.cycle(repo, src, "killed", TransferOptions.DEFAULTS);
      }
      long sent = proxy.bytes(Direction.UPSTREAM) - sentBefore;
      assertEquals(new ImageRef("killed", 1), rerun.image());
      assertEquals(clean.bytesStored() - survived, rerun.bytesStored(), "the rerun stored " + rerun.bytesStored()
          + " bytes; a clean cycle stores " + clean.bytesStored() + " and " + survived + " had landed before the kill");
      long allowed = cleanSent - packBytes + 64 * 1024; // and an index of the adopted packs
      assertTrue(sent <= allowed, "the rerun sent " + sent + " bytes; a clean cycle sent " + cleanSent + " and "
          + packBytes + " bytes of packs had landed (allowed " + allowed + ")");

      CycleChecks.assertRestoresAndChecksClean(receiver.open("killed", KILLED), folder,
          Map.of(new ImageRef("killed", 1), src), tmp.resolve("restored"));
      try (LocalFolderBackend a = LocalFolderBackend.open(receiver.folder("clean"));
          LocalFolderBackend b = LocalFolderBackend.open(folder)) {
        assertEquals(StoredChunks.in(a).keySet(), StoredChunks.in(b).keySet(), "chunks stored, against a clean cycle");
      }
    }
  }

  /** Packs in the receiver's folder of a repository. */
  private static long packs(Path folder) throws IOException {
    Path data = folder.resolve("data");
    if (!Files.isDirectory(data)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
