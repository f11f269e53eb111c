package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import dev.smc.testkit.FaultProxy;
import dev.smc.testkit.FaultProxy.Direction;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.IndexFiles;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.repo.StoredChunks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full cycle to a receiver through a {@link FaultProxy} that breaks the network in the middle:
 * connections dropped again and again, a stall longer than the agent's stall timeout, latency on
 * every chunk, the receiver restarted, the network gone for longer than the agent retries. Each
 * time the cycle completes — by the backend's own retries, or by running the cycle again after it
 * failed, as each test says — its image restores exactly from the receiver's folder, the repository
 * checks clean, and no stored chunk is sent again: no chunk is in two packs, the chunks stored are
 * those of a clean run, and the bytes sent exceed a clean run's by at most one pack for each
 * connection the faults cost (a rerun: by less than what had reached the receiver before).
 */
class ReceiverFaultTest {
  /** A request cut by a fault wastes at most one pack and its head; a TLS handshake is a few KiB. */
  private static final long WASTE_PER_CONNECTION = CycleChecks.PACK_SIZE + 64 * 1024;
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(1);
  /** Slow enough (about 2 s for the tree) to act while it runs. */
  private static final TransferOptions PACED = TransferOptions.builder().bandwidthLimitKBps(1280).build();

  @TempDir
  static Path dir;
  private static TestReceiver receiver;
  private static Path src;
  private static Clean clean;

  /** What a run without faults through the proxy cost: the baseline. */
  private record Clean(CycleReport report, long upstream, int connections, Set<ChunkId> chunks) {}

  private static String token(String repo) {
    return "fault-token-" + repo + "-0123456789abcdef";
  }

  @BeforeAll
  static void start() throws Exception {
    src = CycleChecks.smallTree(dir.resolve("src"), 5);
    List<String> pairs = new ArrayList<>();
    for (String r : List.of("clean", "drops", "stall", "latency", "restart", "rerun", "reply")) {
      pairs.add(r);
      pairs.add(token(r));
    }
    receiver = new TestReceiver(dir.resolve("receiver"), pairs.toArray(String[]::new));
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      CycleReport r = cycle(proxy, "clean", TransferOptions.DEFAULTS, Duration.ofSeconds(20));
      try (LocalFolderBackend b = LocalFolderBackend.open(receiver.folder("clean"))) {
        clean = new Clean(r, proxy.bytes(Direction.UPSTREAM), proxy.connections(), StoredChunks.in(b).keySet());
      }
    }
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }

  private static InetSocketAddress receiverAddress() {
    return new InetSocketAddress("127.0.0.1", receiver.receiver.port());
  }

  private static HttpsBackend open(FaultProxy proxy, String repo, Duration retryFor) throws IOException {
    HttpsBackend.Options o = HttpsBackend.Options.of(token(repo), Optional.of(receiver.receiver.fingerprint()))
        .withTimeouts(Duration.ofSeconds(2), STALL_TIMEOUT, retryFor);
    return HttpsBackend.open("https://127.0.0.1:" + proxy.port() + "/" + repo, o);
  }

  /** A full cycle of the tree to {@code repo} through {@code proxy}, in a repository opened for it alone. */
  private static CycleReport cycle(FaultProxy proxy, String repo, TransferOptions t, Duration retryFor)
      throws IOException {
    try (Repository r = CycleChecks.repository(open(proxy, repo, retryFor))) {
      return CycleChecks.cycle(r, src, "faults", t);
    }
  }

  /** Runs {@code cycle} on a thread of its own. */
  private static FutureTask<CycleReport> inBackground(java.util.concurrent.Callable<CycleReport> cycle) {
    FutureTask<CycleReport> f = new FutureTask<>(cycle);
    Thread t = new Thread(f, "cycle-under-faults");
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Waits until {@code bytes} have gone up through the proxy (the cycle is well under way). */
  private static void awaitUpstream(FaultProxy proxy, long bytes, FutureTask<?> cycle) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (proxy.bytes(Direction.UPSTREAM) < bytes) {
      if (cycle.isDone()) {
        cycle.get();
        throw new AssertionError("the cycle ended after " + proxy.bytes(Direction.UPSTREAM)
            + " bytes, before the fault could be armed at " + bytes);
      }
      assertTrue(System.nanoTime() < deadline, "only " + proxy.bytes(Direction.UPSTREAM) + " bytes went up in 60 s");
      Thread.sleep(5);
    }
  }

  /**
   * The image restores exactly from the receiver's folder, which checks clean and holds each chunk
   * of a clean run once; the cycle stored what a clean one did; the bytes sent exceed a clean
   * run's by at most one pack for each connection beyond its.
   */
  private static void assertCompleteAndNothingSentTwice(String repo, CycleReport report, FaultProxy proxy)
      throws IOException {
    assertEquals(clean.report.bytesStored(), report.bytesStored(), repo + ": bytes stored by the cycle");
    assertStoredLikeAClean(repo);
    long extraConnections = Math.max(0, proxy.connections() - clean.connections) + 1;
    long allowed = clean.upstream + extraConnections * WASTE_PER_CONNECTION;
    assertTrue(proxy.bytes(Direction.UPSTREAM) <= allowed, repo + ": " + proxy.bytes(Direction.UPSTREAM)
        + " bytes went up; a clean run sent " + clean.upstream + " over " + clean.connections + " connections, this"
        + " one used " + proxy.connections() + " (allowed " + allowed + ")");
  }

  private static void assertStoredLikeAClean(String repo) throws IOException {
    Path folder = receiver.folder(repo);
    CycleChecks.assertRestoresFromFolderAndChecksClean(folder, java.util.Map.of(new ImageRef("faults", 1), src),
        dir.resolve("restored-" + repo));
    try (LocalFolderBackend b = LocalFolderBackend.open(folder)) {
      assertEquals(clean.chunks, StoredChunks.in(b).keySet(), repo + ": chunks stored (against a clean run)");
    }
  }

  @Test
  void connectionsDroppedAgainAndAgainMidUploadAreRetriedByTheBackendWithoutSendingAStoredChunkAgain()
      throws Exception {
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      proxy.dropAfter(Direction.UPSTREAM, 420 * 1024, true); // a pack and a half a connection, then it drops
      CycleReport report = cycle(proxy, "drops", TransferOptions.DEFAULTS, Duration.ofSeconds(30));
      assertTrue(proxy.cuts() >= 3, "connections cut during the cycle: " + proxy.cuts());
      assertCompleteAndNothingSentTwice("drops", report, proxy);
    }
  }

  @Test
  void aStallLongerThanTheStallTimeoutIsCutByTheAgentAndRetriedOnNewConnections() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      FutureTask<CycleReport> run = inBackground(() -> cycle(proxy, "stall", PACED, Duration.ofSeconds(30)));
      awaitUpstream(proxy, clean.upstream / 3, run);
      int before = proxy.connections();
      proxy.stallFor(STALL_TIMEOUT.multipliedBy(3));
      CycleReport report = run.get(90, TimeUnit.SECONDS);
      assertTrue(proxy.connections() > before, "no new connection after a stall of 3 stall timeouts: the agent"
          + " waited instead of cutting (" + before + " connections before the stall, " + proxy.connections() + " after)");
      assertCompleteAndNothingSentTwice("stall", report, proxy);
    }
  }

  @Test
  void latencyOnEveryChunkSlowsTheCycleWithoutFailingOrRepeatingAnUpload() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      proxy.latency(Duration.ofMillis(20));
      CycleReport report = cycle(proxy, "latency", TransferOptions.DEFAULTS, Duration.ofSeconds(30));
      assertEquals(0, proxy.cuts());
      assertCompleteAndNothingSentTwice("latency", report, proxy);
      // nothing failed, so nothing was sent again: the bytes are a clean run's, give or take a few
      // request heads and handshakes (packs may be cut differently), far less than a pack
      long slack = 32 * 1024;
      assertTrue(Math.abs(proxy.bytes(Direction.UPSTREAM) - clean.upstream) < slack, proxy.bytes(Direction.UPSTREAM)
          + " bytes went up with latency, " + clean.upstream + " in a clean run");
    }
  }

  @Test
  void aReceiverRestartedMidCycleIsWaitedForByTheBackendsRetries() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      FutureTask<CycleReport> run = inBackground(() -> cycle(proxy, "restart", PACED, Duration.ofSeconds(30)));
      awaitUpstream(proxy, clean.upstream / 3, run);
      int before = proxy.connections();
      receiver.restart();
      CycleReport report = run.get(90, TimeUnit.SECONDS);
      assertTrue(proxy.connections() > before, "no new connection after the receiver restarted");
      assertCompleteAndNothingSentTwice("restart", report, proxy);
    }
  }

  @Test
  void aCycleThatOutlastsItsRetriesFailsAndTheRerunSendsOnlyWhatTheReceiverDidNotHave() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(receiverAddress())) {
      FutureTask<CycleReport> run = inBackground(() -> cycle(proxy, "rerun", PACED, Duration.ofSeconds(1)));
      awaitUpstream(proxy, clean.upstream * 3 / 5, run);
      proxy.refuseConnections(true);
      proxy.cutAll();
      ExecutionException failed = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS),
          "the cycle went on with the network gone for longer than its retries");
      assertTrue(failed.getCause() instanceof IOException || failed.getCause() instanceof RuntimeException,
          "failed with " + failed.getCause());
      receiver.restart(Duration.ofSeconds(10)); // an upload that had arrived whole is stored before we look
      long survived = CycleChecks.storedChunkBytes(receiver.folder("rerun"));
      long packBytes = packBytes(receiver.folder("rerun"));
      assertTrue(survived > 2 * CycleChecks.PACK_SIZE, "only " + survived + " bytes had reached the receiver");

      proxy.heal();
      long sentBefore = proxy.bytes(Direction.UPSTREAM);
      int connectionsBefore = proxy.connections();
      CycleReport rerun = cycle(proxy, "rerun", TransferOptions.DEFAULTS, Duration.ofSeconds(20));
      long sent = proxy.bytes(Direction.UPSTREAM) - sentBefore;
      assertEquals(clean.report.bytesStored() - survived, rerun.bytesStored(), "the rerun stored "
          + rerun.bytesStored() + " bytes; a clean cycle stores " + clean.report.bytesStored() + " and " + survived
          + " had reached the receiver");
      long allowed = clean.upstream - packBytes + WASTE_PER_CONNECTION
          * Math.max(1, proxy.connections() - connectionsBefore - clean.connections + 1);
      assertTrue(sent <= allowed, "the rerun sent " + sent + " bytes; a clean run sent " + clean.upstream + " and "
          + packBytes + " bytes of packs were there already (allowed " + allowed + ")");
      assertStoredLikeAClean("rerun");
    }
  }

  @Test
  void anUploadWhoseReplyWasLostIsNotSentAgain() throws Exception {
    byte[] content = IndexFiles.valid(9, 2 << 20).array(); // a receiver stores an index only if it parses as one
    String name = "index/" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    try (FaultProxy proxy = FaultProxy.start(receiverAddress());
        Backend b = open(proxy, "reply", Duration.ofSeconds(20))) {
      long before = proxy.bytes(Direction.UPSTREAM);
      proxy.dropAfter(Direction.DOWNSTREAM, 0, false); // the upload arrives; its reply does not
      b.put(name, ByteBuffer.wrap(content), Backend.PutMode.CREATE_NEW);
      long sent = proxy.bytes(Direction.UPSTREAM) - before;
      assertEquals(1, proxy.cuts(), "connections cut");
      assertTrue(sent < content.length * 3L / 2, "an upload of " + content.length + " bytes whose reply was lost"
          + " sent " + sent + " bytes: it was sent again although the receiver had stored it");
    }
    assertEquals(ByteBuffer.wrap(content), ByteBuffer.wrap(Files.readAllBytes(receiver.folder("reply").resolve(name))));
  }

  private static long packBytes(Path folder) throws IOException {
    try (LocalFolderBackend b = LocalFolderBackend.open(folder)) {
      return StoredChunks.bytes(b, "data/");
    }
  }
}
