package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.RunMode;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.internal.ReceiverProcess;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.files.TreeCompare;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transit instances served by a real receiver process: every cycle of a scheduler built with
 * {@code transitReceivers(true)} goes over HTTPS through the home's receiver; it runs exactly
 * while the model keeps a transit instance, and none is left behind.
 */
class LocalReceiverProviderTest {
  @TempDir
  Path tmp;

  private final ManualClock clock = new ManualClock();
  private Path home;
  private Path src;
  private Repository repo;
  private Migrations m;
  /** The receivers as any process sees them: from their folders. */
  private LocalReceiverProvider observer;
  private int restores;

  @BeforeEach
  void open() throws IOException {
    home = tmp.resolve("home");
    src = Files.createDirectories(tmp.resolve("server"));
    Files.createDirectories(src.resolve("etc"));
    Files.writeString(src.resolve("etc/app.conf"), "port = 8080\n");
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Files.write(src.resolve("data.bin"), data);
    repo = Repository.open(LocalFolderBackend.openWithoutSync(home.resolve("repo")),
        Repository.options().clock(clock).packSize(64 << 10));
    m = Migrations.builder().home(home).repository(repo).transitReceivers(true).clock(clock)
        .executor(Runnable::run).build();
    observer = new LocalReceiverProvider(home.resolve("transit"), home.resolve("repo"));
  }

  @AfterEach
  void noTransitLeft() throws IOException {
    List<TransitInstance> left = observer.transits();
    for (TransitInstance t : left) {
      observer.releaseTransit(t); // so that one failed test does not leave processes behind
    }
    m.close();
    repo.close();
    assertEquals(List.of(), left.stream().map(TransitInstance::id).toList(), "transit instances left");
  }

  @AfterAll
  static void noReceiverProcessLeft() {
    List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().orElse("pid " + h.pid()))
        .filter(c -> c.contains("ReceiverMain")).toList();
    assertEquals(List.of(), left, "receiver processes still running");
  }

  private TaskSpec.Builder spec(String name) {
    return TaskSpec.builder().name(name).source(src.toString()).imageName(name).runMode(RunMode.now());
  }

  private TransitInstance onlyTransit() throws IOException {
    List<TransitInstance> all = observer.transits();
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  private ProcessHandle receiver(TransitInstance t) throws IOException {
    return observer.process(t.id()).orElseThrow(() -> new AssertionError("no receiver runs for " + t.id()));
  }

  private void assertRestoresToSource(ImageRef image) throws IOException {
    Path target = tmp.resolve("restored-" + (++restores));
    try (Repository fresh = Repository.open(LocalFolderBackend.openWithoutSync(home.resolve("repo")))) {
      new FileRestore(1).restore(fresh, image, target);
    }
    assertEquals(List.of(), TreeCompare.differences(bytes(src), bytes(target)), image.toString());
  }

  private static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  private void assertGone(ProcessHandle receiver, TransitInstance t) throws IOException {
    receiver.onExit().completeOnTimeout(receiver, 1, TimeUnit.SECONDS).join(); // a non-child's exit is polled
    assertFalse(receiver.isAlive(), "receiver pid " + receiver.pid() + " still runs");
    assertFalse(Files.exists(home.resolve("transit").resolve(t.id())), "the transit's folder (and credentials) remain");
    assertFalse(Files.exists(home.resolve("transit").resolve("receiver")), "the receiver's folder (and key) remain");
    assertEquals(List.of(), observer.transits());
  }

  private boolean logged(String task, String text) throws IOException {
    return m.logs(task).stream().anyMatch(e -> e.event().contains(text));
  }

  @Test
  void incrementalCyclesGoThroughTheTasksReceiverWhichRunsWhileWaitingAndStopsAtCutOver() throws Exception {
    MigrationTask t = m.create(spec("web").incremental(Duration.ofHours(6), 3).build());
    assertEquals(TaskState.Waiting, t.state(), t.error().orElse(""));
    TransitInstance transit = onlyTransit();
    assertEquals(t.transit().orElseThrow(), transit.id());
    assertEquals(HttpsBackend.unixEndpoint(home.resolve("transit/receiver/receiver.sock"), "repo"), transit.endpoint(),
        "the receiver's Unix socket");
    assertEquals(transit.publicEndpoint(), transit.privateEndpoint(), "this machine has one network");
    assertTrue(transit.access().orElseThrow().token().matches("[0-9a-f]{64}"));
    assertTrue(transit.access().orElseThrow().pin().startsWith("sha256:"));
    assertFalse(transit.toString().contains(transit.access().get().token()), "toString prints the token");
    Path folder = home.resolve("transit").resolve(transit.id());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("tokens"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
    ProcessHandle receiver = receiver(transit);
    assertTrue(ProcessHandle.current().descendants().anyMatch(h -> h.pid() == receiver.pid()),
        "the receiver is a child process of this JVM");
    assertTrue(logged("web", "sending through transit instance " + transit.id() + " at " + transit.endpoint()));
    assertRestoresToSource(new ImageRef("web", 1));

    Files.writeString(src.resolve("etc/app.conf"), "port = 9090\n");
    Files.writeString(src.resolve("etc/new.conf"), "added\n");
    t = m.sync("web");
    assertEquals(TaskState.Waiting, t.state(), t.error().orElse(""));
    assertEquals(2, t.lastCycle().orElseThrow().number());
    assertEquals(transit, onlyTransit(), "the second cycle used the kept transit instance as it was");
    assertEquals(receiver.pid(), receiver(transit).pid());
    assertRestoresToSource(new ImageRef("web", 2));

    t = m.cutover("web", false);
    assertEquals(TaskState.Finished, t.state());
    assertGone(receiver, transit);
    assertTrue(repo.check(true).ok());
  }

  @Test
  void aReceiverKilledBetweenCyclesIsStartedAgainByTheNextCycleAndDeleteStopsIt() throws Exception {
    m.create(spec("db").incremental(Duration.ofHours(1), 2).build());
    TransitInstance first = onlyTransit();
    ProcessHandle killed = receiver(first);
    killed.destroyForcibly(); // kill -9
    killed.onExit().get(10, TimeUnit.SECONDS);
    assertTrue(observer.process(first.id()).isEmpty());

    Files.writeString(src.resolve("etc/app.conf"), "port = 7070\n");
    MigrationTask t = m.sync("db");
    assertEquals(TaskState.Waiting, t.state(), t.error().orElse(""));
    TransitInstance again = onlyTransit();
    assertEquals(first.id(), again.id(), "the same transit instance, started again");
    assertEquals(first.access().orElseThrow().token(), again.access().orElseThrow().token(), "same token");
    assertEquals(first.access().get().pin(), again.access().get().pin(), "same certificate");
    ProcessHandle restarted = receiver(again);
    assertNotEquals(killed.pid(), restarted.pid());
    assertTrue(logged("db", "transit instance " + first.id() + " had stopped; serving again at " + again.endpoint()));
    assertRestoresToSource(new ImageRef("db", 2));

    m.delete("db");
    assertGone(restarted, first);
  }

  @Test
  void aTransitOfTheOldLayoutWithAReceiverOfItsOwnIsTakenOverByTheHomesReceiverAtItsNextCycle() throws Exception {
    m.create(spec("old").incremental(Duration.ofHours(1), 2).build());
    TransitInstance transit = onlyTransit();
    Path folder = home.resolve("transit").resolve(transit.id());
    // make it a transit as a build before the shared receiver left it: no home receiver, a record that
    // names the transit's own receiver process, which serves from the transit's folder with its own key
    ProcessHandle shared = receiver(transit);
    shared.destroyForcibly();
    shared.onExit().get(10, TimeUnit.SECONDS);
    ReceiverProcess.Serving own = ReceiverProcess.start(folder, home, List.of(), Duration.ofSeconds(30));
    ProcessHandle legacy = ProcessHandle.of(own.pid()).orElseThrow();
    Files.writeString(folder.resolve("instance.properties"), "id=" + transit.id() + "\ntask="
        + transit.task().value() + "\npid=" + own.pid() + "\nport=" + own.port() + "\n");
    assertTrue(Files.isDirectory(folder.resolve(ReceiverProcess.CERTS)), "the old transit's own key");
    assertTrue(legacy.isAlive());

    Files.writeString(src.resolve("etc/app.conf"), "port = 6060\n");
    MigrationTask t = m.sync("old");
    assertEquals(TaskState.Waiting, t.state(), t.error().orElse(""));
    TransitInstance now = onlyTransit();
    assertEquals(transit.id(), now.id(), "the same transit, taken over");
    legacy.onExit().completeOnTimeout(legacy, 5, TimeUnit.SECONDS).join();
    assertFalse(legacy.isAlive(), "the transit's own receiver was stopped");
    ProcessHandle serving = receiver(now);
    assertNotEquals(legacy.pid(), serving.pid());
    assertTrue(ReceiverProcess.isReceiverOf(serving, home.resolve("transit").resolve("receiver")),
        "the home's receiver serves it now");
    assertFalse(Files.readString(folder.resolve("instance.properties")).contains("pid="), "the record is rewritten");
    assertRestoresToSource(new ImageRef("old", 2));

    t = m.cutover("old", false);
    assertEquals(TaskState.Finished, t.state());
    assertGone(serving, now);
  }

  @Test
  void aOneTimeTaskWritesThroughItsReceiverAndReleasesItInCleaning() throws Exception {
    AtomicReference<String> store = new AtomicReference<>();
    List<Long> during = new ArrayList<>();
    m.close();
    m = Migrations.builder().home(home).repository(repo).transitReceivers(true).clock(clock)
        .executor(Runnable::run).engine((spec, s, listener) -> {
          store.set(((Repository) s).backend().location());
          for (TransitInstance t : observer.transits()) {
            observer.process(t.id()).ifPresent(h -> during.add(h.pid()));
          }
          return CycleEngine.local().run(spec, s, listener);
        }).build();
    MigrationTask t = m.create(spec("once").build());
    assertEquals(TaskState.Finished, t.state(), t.error().orElse(""));
    assertEquals(1, during.size(), "one receiver ran during the cycle: " + during);
    String endpoint = m.logs("once").stream().map(LogEntry::event).filter(e -> e.contains("sending through"))
        .findFirst().orElseThrow().replaceAll(".* at ", "");
    assertTrue(endpoint.matches("http\\+unix://%2F.*receiver.sock/repo"), endpoint);
    assertEquals(endpoint, store.get(), "the engine wrote through the receiver, not to the folder");
    List<String> events = m.logs("once").stream().map(LogEntry::event).toList();
    int cleaning = events.indexOf("business step Cleaning");
    int released = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("transit instance ") && events.get(i).endsWith(" released")) {
        released = i;
      }
    }
    assertTrue(cleaning >= 0 && released > cleaning, "released in Cleaning: " + events);
    ProcessHandle h = ProcessHandle.of(during.get(0)).orElse(null);
    assertTrue(h == null || !h.isAlive(), "the receiver of a finished one-time task still runs");
    assertEquals(List.of(), observer.transits());
    assertRestoresToSource(new ImageRef("once", 1));
  }

  @Test
  void expiryStopsTheReceiverKeptForARetryEvenOneWhosePidWasNeverRecorded() throws Exception {
    m.create(spec("old").runMode(RunMode.createOnly()).validity(Duration.ofDays(7)).build());
    Path moved = Files.move(src, tmp.resolve("offline"));
    MigrationTask t = m.start("old");
    assertEquals(TaskState.InError, t.state(), "a cycle whose source is offline fails");
    TransitInstance transit = onlyTransit();
    ProcessHandle receiver = receiver(transit);
    assertTrue(logged("old", "kept for the retry"));
    // as after a crash between starting the receiver and recording it: release finds it by its command line
    Files.delete(home.resolve("transit").resolve("receiver").resolve("receiver.properties"));
    assertTrue(observer.process(transit.id()).isEmpty());

    clock.advance(Duration.ofDays(7));
    m.tick();
    assertEquals(TaskState.Expired, m.task("old").state());
    assertGone(receiver, transit);
    Files.move(moved, src);
  }

  @Test
  void aReceiverThatCannotStartFailsTheCreationQuotingItsLogAndLeavesNothing() throws Exception {
    LocalReceiverProvider broken = new LocalReceiverProvider(home.resolve("transit"), home.resolve("repo"),
        List.of("-XX:+NoSuchOptionOfSmc"), Duration.ofSeconds(30));
    IOException e = assertThrows(IOException.class, () -> broken.createTransit(new TaskId("t-broken")));
    assertTrue(e.getMessage().contains("exited with code 1 before it served"), e.getMessage());
    assertTrue(e.getMessage().contains("NoSuchOptionOfSmc"), "the log's end is quoted: " + e.getMessage());
    assertEquals(List.of(), broken.transits());
    try (var s = Files.list(home.resolve("transit"))) { // the lock file stays: deleting it would break the lock
      assertEquals(List.of("receiver.lock"), s.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void releaseNeverSignalsAProcessThatIsNotThatTransitsReceiver() throws Exception {
    Process other = new ProcessBuilder("sleep", "30").start(); // holds the pid a stale record names
    try {
      Path folder = Files.createDirectories(home.resolve("transit").resolve("transit-t-reused-1"));
      Files.writeString(folder.resolve("instance.properties"), "id=transit-t-reused-1\ntask=t-reused\npid="
          + other.pid() + "\nport=1\nfingerprint=sha256:00\nendpoint=https://127.0.0.1:1/repo\n");
      TransitInstance stale = onlyTransit();
      assertTrue(observer.process(stale.id()).isEmpty(), "a process that is not its receiver is not taken for it");
      observer.releaseTransit(stale);
      assertFalse(other.waitFor(200, TimeUnit.MILLISECONDS), "release signalled a process that is not a receiver");
      assertFalse(Files.exists(folder));
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void aRepositoryThatIsNotALocalFolderIsRefused() throws Exception {
    try (Repository mem = Repository.open(new dev.smc.transfer.backend.InMemoryBackend())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Migrations.builder()
          .home(tmp.resolve("other")).repository(mem).transitReceivers(true).build());
      assertTrue(e.getMessage().contains("must be a local folder"), e.getMessage());
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new LocalReceiverProvider(tmp.resolve("t"), tmp.resolve("my repo")));
    assertTrue(bad.getMessage().contains("'" + tmp.resolve("my repo") + "'"), bad.getMessage());
  }
}
