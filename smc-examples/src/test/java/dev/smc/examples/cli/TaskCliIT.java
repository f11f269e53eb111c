package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.transfer.files.TreeCompare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smc task ...} and {@code smc serve} as an operator runs them: each command a real
 * {@code java -jar target/smc.jar} process (so these run after {@code package}), killed with
 * SIGKILL or stopped with SIGTERM where the test says. Each task's transit instance is a real
 * receiver process that outlives the command that started it; every scenario ends with none left.
 */
class TaskCliIT {
  private static final Path JAR = Path.of(System.getProperty("smc.jar", "target/smc.jar"));

  @TempDir
  Path tmp;

  private Path home;
  private Path src;
  private int runs;

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void paths() {
    assertTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    home = tmp.resolve("home");
    src = tmp.resolve("server");
  }

  private Process launch(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    int n = ++runs;
    return new ProcessBuilder(cmd).redirectOutput(tmp.resolve(n + ".out").toFile())
        .redirectError(tmp.resolve(n + ".err").toFile()).start();
  }

  private Run finish(Process p) throws IOException, InterruptedException {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "smc did not end within 60 s");
    int n = runs;
    return new Run(p.exitValue(), Files.readString(tmp.resolve(n + ".out")), Files.readString(tmp.resolve(n + ".err")));
  }

  private Run smc(String... args) throws IOException, InterruptedException {
    return finish(launch(args));
  }

  private Run ok(String... args) throws IOException, InterruptedException {
    Run r = smc(args);
    assertEquals(0, r.code(), "smc " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }

  private List<ProcessHandle> receivers() {
    return HomeFiles.receivers(home);
  }

  private static List<Long> pids(List<ProcessHandle> handles) {
    return handles.stream().map(ProcessHandle::pid).toList();
  }

  private void assertNoReceiverLeft() {
    List<ProcessHandle> left = receivers();
    left.forEach(ProcessHandle::destroyForcibly);
    assertEquals(List.of(), left.stream().map(ProcessHandle::pid).toList(), "receiver processes left running");
  }

  private static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A copy of the tree with everything TreeCompare looks at (times, modes, links). */
  private static void copyTree(Path from, Path to) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
  }

  private void restoresTo(String image, Path expected) throws IOException, InterruptedException {
    Path target = tmp.resolve("restored-" + image);
    ok("restore", "--repo", home.resolve("repo").toString(), "--image", image, "--target", target.toString());
    assertEquals(List.of(), TreeCompare.differences(bytes(expected), bytes(target)), image);
  }

  @Test
  void incrementalTaskWithMaxImagesTwoSyncedThriceKeepsCycleTwoAndThreeEachRestoringItsSource() throws Exception {
    Files.createDirectories(src.resolve("etc/app"));
    Files.createDirectories(src.resolve("var/log"));
    Files.writeString(src.resolve("etc/app/app.conf"), "port = 8080\n");
    Files.write(src.resolve("var/log/app.log"), new byte[100_000]);
    Files.createSymbolicLink(src.resolve("etc/current"), Path.of("app/app.conf"));
    Run created = ok("task", "create", "--home", home.toString(), "--name", "web", "--source", src.toString(),
        "--image-name", "web", "--incremental", "--interval", "6h", "--max-images", "2", "--run", "now");
    assertTrue(created.out().contains("cycle 1 succeeded (image web-CYCLE_1)"), created.out());

    Files.writeString(src.resolve("etc/app/app.conf"), "port = 9090\n");
    Files.writeString(src.resolve("var/log/app.log"), "appended\n", java.nio.file.StandardOpenOption.APPEND);
    assertTrue(ok("task", "sync", "--home", home.toString(), "web").out().contains("image web-CYCLE_2"));
    copyTree(src, tmp.resolve("at-cycle-2"));

    Files.delete(src.resolve("etc/current"));
    Files.createDirectories(src.resolve("srv/www"));
    Files.writeString(src.resolve("srv/www/index.html"), "<h1>hello</h1>\n");
    assertTrue(ok("task", "sync", "--home", home.toString(), "web").out().contains("image web-CYCLE_3"));
    copyTree(src, tmp.resolve("at-cycle-3"));

    Run images = ok("images", "--repo", home.resolve("repo").toString(), "--json");
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\"image\": \"([^\"]+)\"").matcher(images.out());
    while (m.find()) {
      names.add(m.group(1));
    }
    assertEquals(List.of("web-CYCLE_2", "web-CYCLE_3"), names, images.out());
    String show = ok("task", "show", "--home", home.toString(), "web", "--json").out();
    assertTrue(show.contains("\"state\": \"Waiting\"") && show.contains("\"cycles\": 3")
        && !show.contains("\"image\": \"web-CYCLE_1\",\n      \"cycle\""), show);

    Files.writeString(src.resolve("etc/app/app.conf"), "port = 7070\n"); // the images must not follow the source
    restoresTo("web-CYCLE_2", tmp.resolve("at-cycle-2"));
    restoresTo("web-CYCLE_3", tmp.resolve("at-cycle-3"));

    // the task's receiver outlived the commands that started and used it, as a transit instance does
    List<ProcessHandle> one = receivers();
    assertEquals(1, one.size(), "one receiver serves the Waiting task: " + one);
    assertTrue(ok("task", "logs", "--home", home.toString(), "web").out().contains("sending through transit instance"));
    // a second task's transit is served by that same receiver, and deleting that task leaves it to the first
    Path db = Files.createDirectories(tmp.resolve("db/etc"));
    Files.writeString(db.resolve("db.conf"), "db\n");
    assertTrue(ok("task", "create", "--home", home.toString(), "--name", "db", "--source", db.getParent().toString(),
        "--image-name", "db", "--incremental", "--interval", "6h", "--max-images", "2").out()
        .contains("cycle 1 succeeded"));
    assertEquals(pids(one), pids(receivers()), "the second task started a receiver of its own");
    ok("task", "delete", "--home", home.toString(), "db");
    assertEquals(pids(one), pids(receivers()), "deleting the second task stopped the first one's receiver");
    ok("task", "cutover", "--home", home.toString(), "web");
    assertNoReceiverLeft();
  }

  @Test
  void killNineInTheMiddleOfTaskStartLeavesATaskTheNextStartCompletesAndItsImageRestoresExactly() throws Exception {
    Files.createDirectories(src);
    Random rnd = new Random(42);
    byte[] buf = new byte[8 << 20];
    for (int i = 0; i < 5; i++) {
      rnd.nextBytes(buf);
      Files.write(src.resolve("data-" + i + ".bin"), buf);
    }
    long total = 5L * buf.length;
    // 8 MiB/s: the 40 MiB cycle takes about 5 s; its packs go to the receiver several at once, so the
    // first to land may be the small pack of tree pieces, handed over with the last data once the walk is done
    ok("task", "create", "--home", home.toString(), "--name", "db", "--source", src.toString(), "--image-name", "db",
        "--run", "create-only", "--bwlimit", "8192");
    Process start = launch("task", "start", "--home", home.toString(), "db");
    Path taskFile;
    try (Stream<Path> s = Files.list(home.resolve("tasks"))) {
      taskFile = s.filter(p -> p.toString().endsWith(".task")).findFirst().orElseThrow();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!(Files.readString(taskFile).contains("\nstep=Syncing\n") && packBytes() >= 1 << 20)) {
      if (!start.isAlive()) {
        throw new AssertionError("task start ended before it could be killed: " + finish(start));
      }
      assertTrue(System.nanoTime() < deadline, "no pack within 30 s");
      Thread.sleep(20);
    }
    start.destroyForcibly();
    assertTrue(start.waitFor(10, TimeUnit.SECONDS));
    assertEquals(137, start.exitValue(), "killed by SIGKILL");
    long landed = packBytes();
    assertTrue(landed >= 1 << 20, "packs of " + landed + " bytes landed before the kill");
    assertFalse(Files.exists(home.resolve("repo/images/db-CYCLE_1")), "the cycle was killed before its image");
    assertTrue(Files.readString(taskFile).contains("\nstate=Running\n"), "the dead process left the task Running");

    String after = ok("task", "show", "--home", home.toString(), "db", "--json").out();
    assertTrue(after.contains("\"state\": \"InError\"") && after.contains("\"error\": \"interrupted\""), after);
    Run resumed = ok("task", "start", "--home", home.toString(), "db", "--json");
    assertTrue(resumed.out().contains("\"state\": \"Finished\"") && resumed.out().contains("\"attempts\": 2"),
        resumed.out());
    Matcher sent = Pattern.compile("\"bytesSent\": (\\d+),\n\\s+\"outcome\": \"Succeeded\"").matcher(resumed.out());
    assertTrue(sent.find(), resumed.out());
    assertTrue(Long.parseLong(sent.group(1)) <= total - landed + (1 << 20), "the resumed cycle sent " + sent.group(1)
        + " of " + total + " bytes, though " + landed + " had landed: what the killed one stored was not reused");
    restoresTo("db-CYCLE_1", src);
    ok("check", "--repo", home.resolve("repo").toString());
    assertNoReceiverLeft(); // the one the killed process started was used by the retry, then released
  }

  @Test
  void aTasksSnapshotCommandsRunAroundItsCyclesThroughTheReceiverAndShowInTaskShow() throws Exception {
    Files.createDirectories(src);
    Files.writeString(src.resolve("motd"), "welcome\n");
    Path log = tmp.resolve("hooks.log");
    Run bad = smc("task", "create", "--home", home.toString(), "--name", "web", "--source", src.toString(),
        "--image-name", "web", "--pre-snapshot", " ");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--pre-snapshot") && bad.err().contains("1-4096 characters"), bad.err());
    ok("task", "create", "--home", home.toString(), "--name", "web", "--source", src.toString(), "--image-name",
        "web", "--interval", "1h", "--max-images", "2", "--pre-snapshot", "echo pre >> " + log,
        "--post-snapshot", "echo post >> " + log);
    ok("task", "sync", "web", "--home", home.toString());
    assertEquals(List.of("pre", "post", "pre", "post"), Files.readAllLines(log));
    Run show = ok("task", "show", "web", "--home", home.toString());
    assertTrue(show.out().contains("pre-snapshot: echo pre >> " + log) && show.out().contains("post-snapshot: echo post"),
        show.out());
    assertTrue(ok("task", "show", "web", "--home", home.toString(), "--json").out()
        .contains("\"preSnapshot\": \"echo pre >> " + log + "\""));
    ok("task", "delete", "web", "--home", home.toString());
    assertNoReceiverLeft();
  }

  private long packBytes() throws IOException {
    return HomeFiles.packBytes(home);
  }



  @Test
  void serveExitsZeroOnSigtermAndTheStoreStaysIntact() throws Exception {
    Files.createDirectories(src);
    Files.writeString(src.resolve("motd"), "welcome\n");
    ok("task", "create", "--home", home.toString(), "--name", "web", "--source", src.toString(), "--image-name",
        "web", "--interval", "1h", "--max-images", "2");
    Process serve = launch("serve", "--home", home.toString(), "--tick", "1");
    Path out = tmp.resolve(runs + ".out");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.readString(out).contains("ticking every 1 s")) {
      if (!serve.isAlive()) {
        throw new AssertionError("serve ended: " + finish(serve));
      }
      assertTrue(System.nanoTime() < deadline, "serve did not start within 20 s");
      Thread.sleep(20);
    }
    Thread.sleep(1500); // a tick or two
    long stopping = System.nanoTime();
    serve.destroy();
    Run r = finish(serve);
    assertEquals(0, r.code(), "exit code after SIGTERM; stderr: " + r.err());
    assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(5), "serve took more than 5 s to stop");
    assertTrue(r.out().contains("smc serve: stopped"), r.out());

    Run list = ok("task", "list", "--home", home.toString());
    assertTrue(list.out().lines().anyMatch(l -> l.matches("web\\s+Waiting\\s+-\\s+1\\s+web-CYCLE_1\\s+\\S+")),
        list.out());
    ok("check", "--repo", home.resolve("repo").toString());
    assertEquals(1, receivers().size(), "the Waiting task's receiver outlives serve: " + receivers());
    ok("task", "delete", "--home", home.toString(), "web");
    assertNoReceiverLeft();
  }
}
