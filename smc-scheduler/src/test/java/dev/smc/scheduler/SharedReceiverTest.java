package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.spi.Backend;
import dev.smc.spi.InstanceProvider.Access;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.transfer.remote.HttpsBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One receiver process per provider folder, shared by every transit: each transit's token opens its
 * own repository alone and is refused from the moment the transit is released; the receiver starts
 * with the first transit, stops with the last, is never started twice by two JVMs at once, and a
 * killed one comes back with the same certificate while every transit's endpoint follows its port.
 */
class SharedReceiverTest {
  @TempDir
  Path tmp;

  private Path dir() {
    return tmp.resolve("transit");
  }

  @AfterEach
  void nothingLeft() throws IOException {
    LocalReceiverProvider p = new LocalReceiverProvider(dir(), tmp.resolve("a"));
    List<TransitInstance> left = p.transits();
    for (TransitInstance t : left) {
      p.releaseTransit(t);
    }
    assertEquals(List.of(), left, "transits left");
    assertEquals(List.of(), receivers(dir()), "receiver processes left");
  }

  /** Live receiver processes of a provider folder, found by their command line as any process would. */
  static List<Long> receivers(Path dir) {
    String tokens = dir.toAbsolutePath().normalize().resolve("receiver").resolve("tokens").toString();
    try (var all = ProcessHandle.allProcesses()) {
      return all.filter(ProcessHandle::isAlive).filter(h -> h.info().arguments().map(List::of)
          .map(a -> a.contains("dev.smc.transfer.remote.ReceiverMain") && a.contains(tokens)).orElse(false))
          .map(ProcessHandle::pid).toList();
    }
  }

  /** What a transit's repository lists with {@code access}, or the refusal's code. */
  private static Object read(TransitInstance at, Access access) throws IOException {
    HttpsBackend.Options o = HttpsBackend.Options.of(access.token(), Optional.of(access.pin()))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ZERO);
    try (HttpsBackend b = HttpsBackend.open(at.endpoint(), o)) {
      return b.list("marker").stream().map(Backend.ObjectInfo::name).toList();
    } catch (SmcException e) {
      return e.code();
    }
  }

  private static void awaitExit(long pid) {
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().completeOnTimeout(h, 20, TimeUnit.SECONDS).join());
  }

  @Test
  void transitsShareOneReceiverAndEachTokenOpensOnlyItsOwnRepositoryUntilReleased() throws Exception {
    Files.createDirectories(tmp.resolve("a"));
    Files.write(Files.createDirectories(tmp.resolve("other-home").resolve("b")).resolve("marker"),
        "b".getBytes(StandardCharsets.UTF_8));
    LocalReceiverProvider forA = new LocalReceiverProvider(dir(), tmp.resolve("a"));
    LocalReceiverProvider forB = new LocalReceiverProvider(dir(), tmp.resolve("other-home").resolve("b"));
    TransitInstance a = forA.createTransit(new TaskId("t-a"));
    long pid = forA.process().orElseThrow().pid();
    TransitInstance b = forB.createTransit(new TaskId("t-b"));
    TransitInstance a2 = forA.createTransit(new TaskId("t-a2"));
    assertEquals(List.of(pid), receivers(dir()), "one receiver for all three transits");
    assertTrue(a.endpoint().endsWith("/a") && b.endpoint().endsWith("/b"), a.endpoint() + " " + b.endpoint());
    assertEquals(a.endpoint().replace("/a", ""), b.endpoint().replace("/b", ""), "one port");
    assertEquals(a.access().orElseThrow().pin(), b.access().orElseThrow().pin(), "one certificate");
    Set<String> tokens = new HashSet<>();
    for (TransitInstance t : List.of(a, b, a2)) {
      tokens.add(t.access().orElseThrow().token());
    }
    assertEquals(3, tokens.size(), "a token of its own per transit");

    assertEquals(List.of("marker"), read(b, b.access().get()), "b reads its own repository");
    assertEquals(List.of(), read(a, a.access().get()));
    assertEquals(ErrorCode.UNAUTHORIZED, read(b, a.access().get()), "a's token read b's repository");
    assertEquals(ErrorCode.UNAUTHORIZED, read(a, b.access().get()), "b's token read a's repository");

    forB.releaseTransit(b);
    assertEquals(ErrorCode.UNAUTHORIZED, read(b, b.access().get()), "a released token is accepted");
    assertEquals(List.of(), read(a, a.access().get()), "another transit lost its access");
    assertEquals(List.of(pid), receivers(dir()), "the receiver stops only with the last transit");
    forA.releaseTransit(a);
    assertEquals(ErrorCode.UNAUTHORIZED, read(a2, a.access().get()), "a released token of the same repository");
    assertEquals(List.of(), read(a2, a2.access().get()));

    forA.releaseTransit(a2);
    awaitExit(pid);
    assertEquals(List.of(), receivers(dir()), "the last release stops the receiver");
    assertFalse(Files.exists(dir().resolve("receiver")), "its key and access list remain");
    forA.releaseTransit(a2); // again: not an error
  }

  @Test
  void aKilledReceiverComesBackWithTheSameCertificateAndEveryTransitFollowsItsNewPort() throws Exception {
    LocalReceiverProvider p = new LocalReceiverProvider(dir(), tmp.resolve("a"));
    TransitInstance one = p.createTransit(new TaskId("t-1"));
    TransitInstance two = p.createTransit(new TaskId("t-2"));
    ProcessHandle killed = p.process().orElseThrow();
    killed.destroyForcibly(); // kill -9
    killed.onExit().get(10, TimeUnit.SECONDS);
    assertTrue(p.process(one.id()).isEmpty());

    TransitInstance again = p.ensureRunning(one);
    long pid = p.process().orElseThrow().pid();
    assertNotEquals(killed.pid(), pid);
    assertEquals(one.access(), again.access(), "same token and certificate");
    TransitInstance twoNow = p.transits().stream().filter(t -> t.id().equals(two.id())).findFirst().orElseThrow();
    assertEquals(again.endpoint(), twoNow.endpoint(), "the other transit's endpoint follows the new port");
    assertEquals(twoNow, p.ensureRunning(twoNow), "a running receiver is kept as it is");
    assertEquals(List.of(), read(twoNow, two.access().orElseThrow()));
    assertEquals(List.of(pid), receivers(dir()));
    releaseAll(p, pid);
  }

  /** Releases every transit and checks that the receiver stopped with the last. */
  private void releaseAll(LocalReceiverProvider p, long pid) throws IOException {
    for (TransitInstance t : p.transits()) {
      assertEquals(List.of(pid), receivers(dir()), "stopped before the last transit went");
      p.releaseTransit(t);
    }
    awaitExit(pid);
    assertEquals(List.of(), receivers(dir()), "the last release stops the receiver");
  }

  @Test
  void crashesBetweenTheStepsOfCreateAndReleaseLeaveStateThatTheNextCallMendsOrFinishes() throws Exception {
    LocalReceiverProvider p = new LocalReceiverProvider(dir(), tmp.resolve("a"));
    TransitInstance one = p.createTransit(new TaskId("t-1"));
    TransitInstance two = p.createTransit(new TaskId("t-2"));
    long pid = p.process().orElseThrow().pid();
    // as after a crash between a transit's record and the access list: its token is not served yet
    Files.writeString(dir().resolve("receiver").resolve("tokens"), "");
    assertEquals(ErrorCode.UNAUTHORIZED, read(one, one.access().orElseThrow()));
    assertEquals(one, p.ensureRunning(one), "the same transit, its line put back");
    assertEquals(List.of(), read(one, one.access().get()));
    assertEquals(List.of(), read(two, two.access().orElseThrow()), "the other transit's line is rebuilt too");

    // as after a crash in the middle of a release, its token deleted but the record kept: listed, then finished
    Files.delete(dir().resolve(two.id()).resolve("tokens"));
    assertEquals(Optional.empty(), p.transits().stream().filter(t -> t.id().equals(two.id())).findFirst()
        .orElseThrow().access());
    p.releaseTransit(two);
    assertEquals(List.of(one.id()), p.transits().stream().map(TransitInstance::id).toList());
    assertEquals(List.of(), read(one, one.access().get()));
    // a line of no transit left in the list (a crash): the last transit's release still stops the receiver
    Files.writeString(dir().resolve("receiver").resolve("tokens"), "a " + "0".repeat(64) + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    releaseAll(p, pid);
  }

  @Test
  void creatorsInTwoJvmsAtOnceStartOneReceiver() throws Exception {
    Files.createDirectories(dir());
    List<Process> creators = new ArrayList<>();
    for (String who : List.of("x", "y")) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          TransitCreator.class.getName(), dir().toString(), tmp.resolve("a").toString(), who, "3")
          .redirectErrorStream(true).redirectOutput(tmp.resolve(who + ".log").toFile());
      pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      creators.add(pb.start());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(tmp.resolve("x.ready")) || !Files.exists(tmp.resolve("y.ready"))) {
      assertTrue(System.nanoTime() < deadline, "the creators did not get ready");
      Thread.sleep(10);
    }
    Files.writeString(tmp.resolve("go"), ""); // both create at once from here
    for (Process c : creators) {
      assertTrue(c.waitFor(120, TimeUnit.SECONDS), "a creator did not finish");
      assertEquals(0, c.exitValue(), Files.readString(tmp.resolve(creators.indexOf(c) == 0 ? "x.log" : "y.log")));
    }
    LocalReceiverProvider p = new LocalReceiverProvider(dir(), tmp.resolve("a"));
    List<TransitInstance> all = p.transits();
    assertEquals(6, all.size(), all.toString());
    assertEquals(1, all.stream().map(TransitInstance::endpoint).distinct().count(), "one endpoint: " + all);
    List<Long> running = receivers(dir());
    assertEquals(1, running.size(), "receivers: " + running);
    for (TransitInstance t : all) {
      assertEquals(List.of(), read(t, t.access().orElseThrow()), t.id());
    }
    releaseAll(p, running.get(0));
  }
}
