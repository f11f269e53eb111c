package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smc serve} resumes what a stop, crash or reboot of a cycle's owner interrupted, through the
 * real jar: a task's first cycle is killed (a crash), the first serve resumes it and is stopped with
 * SIGTERM while it runs, the second serve resumes it again and the cycle ends with its image, reusing
 * what was stored; a task whose cycle failed by itself stays InError. Each serve's stderr and the
 * task's log show the decisions.
 */
class ServeResumeIT {
  private static final Path JAR = Path.of(System.getProperty("smc.jar", "target/smc.jar"));
  private static final Pattern SENT = Pattern.compile("\"bytesSent\": (\\d+),\n\\s+\"outcome\": \"Succeeded\"");

  @TempDir
  Path tmp;

  private Path home;
  private int runs;

  private record Run(int code, String out, String err) {}

  private Process launch(String... args) throws IOException {
    assertTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    int n = ++runs;
    return new ProcessBuilder(cmd).redirectOutput(out(n).toFile()).redirectError(tmp.resolve(n + ".err").toFile())
        .start();
  }

  private Path out(int n) {
    return tmp.resolve(n + ".out");
  }

  private Run finish(Process p, int n) throws IOException, InterruptedException {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "smc did not end within 60 s");
    return new Run(p.exitValue(), Files.readString(out(n)), Files.readString(tmp.resolve(n + ".err")));
  }

  private Run smc(String... args) throws IOException, InterruptedException {
    Process p = launch(args);
    return finish(p, runs);
  }

  private Run ok(String... args) throws IOException, InterruptedException {
    Run r = smc(args);
    assertEquals(0, r.code(), "smc " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }

  private static void await(String what, int seconds, Process alive, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      assertTrue(alive.isAlive(), "the process ended before " + what);
      assertTrue(System.nanoTime() < deadline, "not within " + seconds + " s: " + what);
      Thread.sleep(20);
    }
  }

  private String taskFile() {
    try (Stream<Path> s = Files.list(home.resolve("tasks"))) {
      return Files.readString(s.filter(p -> p.toString().endsWith(".task") && p.getFileName().toString()
          .startsWith("t-")).filter(p -> read(p).contains("\nspec.name=db\n")).findFirst().orElse(tmp.resolve("none")));
    } catch (IOException e) {
      return ""; // not created yet, or between a write and its rename
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  private long packBytes() {
    try {
      return HomeFiles.packBytes(home);
    } catch (IOException e) {
      return 0;
    }
  }

  @AfterEach
  void noReceiverLeft() {
    if (home != null) {
      HomeFiles.receivers(home).forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void serveResumesACycleACrashInterruptedAndTheOneItsOwnSigtermInterruptedButNotARealError() throws Exception {
    home = tmp.resolve("home");
    Path src = Files.createDirectories(tmp.resolve("server"));
    Random rnd = new Random(7);
    byte[] buf = new byte[8 << 20];
    for (int i = 0; i < 8; i++) {
      rnd.nextBytes(buf);
      Files.write(src.resolve("data-" + i + ".bin"), buf);
    }
    long total = 8L * buf.length;
    // a task whose cycle fails by itself: its source is gone when it starts
    Path gone = Files.createDirectories(tmp.resolve("gone"));
    Files.writeString(gone.resolve("f"), "x\n");
    ok("task", "create", "--home", home.toString(), "--name", "broken", "--source", gone.toString(), "--image-name",
        "broken", "--run", "create-only");
    Files.delete(gone.resolve("f"));
    Files.delete(gone);
    assertNotEquals(0, smc("task", "start", "--home", home.toString(), "broken").code());
    String broken = ok("task", "show", "--home", home.toString(), "broken", "--json").out();
    assertTrue(broken.contains("\"state\": \"InError\"") && !broken.contains("\"error\": \"interrupted\""), broken);

    // 8 MiB/s: the 64 MiB cycle takes about 8 s
    Process create = launch("task", "create", "--home", home.toString(), "--name", "db", "--source", src.toString(),
        "--image-name", "db", "--interval", "1h", "--max-images", "2", "--bwlimit", "8192");
    await("the first cycle syncs", 30, create, () -> taskFile().contains("\nstep=Syncing\n"));
    create.destroyForcibly(); // a crash
    assertTrue(create.waitFor(10, TimeUnit.SECONDS));

    Process serve1 = launch("serve", "--home", home.toString(), "--tick", "1");
    int serve1Run = runs;
    String owner = "\nowner.pid=" + serve1.pid() + "\n";
    await("serve resumes the cycle and stores a pack", 40, serve1, () -> {
      String t = taskFile();
      return t.contains(owner) && t.contains("\nstep=Syncing\n") && packBytes() >= 1 << 20;
    });
    serve1.destroy(); // SIGTERM
    Run first = finish(serve1, serve1Run);
    assertEquals(0, first.code(), "serve exits 0 on SIGTERM: " + first.err());
    long landed = packBytes();
    assertTrue(landed >= 1 << 20, "packs of " + landed + " bytes landed before the SIGTERM");
    assertFalse(Files.exists(home.resolve("repo/images/db-CYCLE_1")), "serve was stopped before the image");
    assertTrue(taskFile().contains("\nstate=InError\n") && taskFile().contains("\nerror=interrupted\n"), taskFile());
    assertTrue(first.err().contains("'db' resumed cycle 1 (RunNow, attempt 2): interrupted by its owner stopping,"
        + " crashing or a reboot"), first.err());
    assertTrue(first.err().contains("task 'db': cycle 1 (RunNow) started, attempt 2"), first.err());
    assertTrue(first.err().contains("task 'db': cycle 1 (RunNow) interrupted in "), first.err());
    assertTrue(Pattern.compile("'broken' InError \\(.+\\): stays until started").matcher(first.err()).find(),
        "serve says why it leaves 'broken' alone: " + first.err());

    Process serve2 = launch("serve", "--home", home.toString(), "--tick", "1");
    int serve2Run = runs;
    await("the second serve finishes the cycle", 60, serve2, () -> taskFile().contains("\nstate=Waiting\n"));
    serve2.destroy();
    Run second = finish(serve2, serve2Run);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.err().contains("'db' resumed cycle 1 (RunNow, attempt 3)"), second.err());
    Matcher end = Pattern.compile("task 'db': cycle 1 \\(RunNow\\) succeeded in \\S+: image db-CYCLE_1, .* scanned,"
        + " .* sent; now Waiting, next run ").matcher(second.err());
    assertTrue(end.find(), second.err());

    String show = ok("task", "show", "--home", home.toString(), "db", "--json").out();
    assertTrue(show.contains("\"state\": \"Waiting\"") && show.contains("\"cycles\": 1,")
        && show.contains("\"type\": \"RunNow\"") && show.contains("\"attempts\": 3")
        && show.contains("\"image\": \"db-CYCLE_1\""), "one cycle, resumed twice, made its image: " + show);
    Matcher sent = SENT.matcher(show);
    assertTrue(sent.find(), show);
    assertTrue(Long.parseLong(sent.group(1)) <= total - landed + (1 << 20), "the resumed cycle sent " + sent.group(1)
        + " of " + total + " bytes, though " + landed + " had landed: what the stopped one stored was not reused");
    String logs = ok("task", "logs", "--home", home.toString(), "db").out();
    assertEquals(2, logs.lines().filter(l -> l.contains("state InError -> Running: cycle 1 resumed (attempt")
        && l.contains("interrupted by its owner stopping, crashing or a reboot")).count(), logs);
    broken = ok("task", "show", "--home", home.toString(), "broken", "--json").out();
    assertTrue(broken.contains("\"state\": \"InError\"") && broken.contains("\"attempts\": 1"), broken);

    Path restored = tmp.resolve("restored");
    ok("restore", "--repo", home.resolve("repo").toString(), "--image", "db-CYCLE_1", "--target", restored.toString());
    assertEquals(List.of(), TreeCompare.differences(src.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8),
        restored.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8)));
    ok("task", "delete", "--home", home.toString(), "db");
    ok("task", "delete", "--home", home.toString(), "broken");
  }
}
