package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code smc task ...} run in-process: refusals of bad input (exit 2, every field named) and the
 * lifecycle, each cycle through a receiver child process; none may be left running.
 */
class TaskCommandsTest {
  @TempDir
  Path tmp;

  private Path home;
  private Path src;

  private record Run(int code, String out, String err) {}

  private static Run smc(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new Main(o, e, env).run(args);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run smc(String... args) {
    return smc(Map.of("SMC_HOME", home.toString()), args);
  }

  private Run ok(String... args) {
    Run r = smc(args);
    assertEquals(0, r.code(), "smc " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }

  @BeforeEach
  void aSource() throws IOException {
    home = tmp.resolve("home");
    src = Files.createDirectories(tmp.resolve("server/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    src = src.getParent();
  }

  @AfterEach
  void noReceiverLeft() {
    List<ProcessHandle> left = ProcessHandle.current().descendants()
        .filter(h -> h.info().commandLine().map(c -> c.contains("ReceiverMain")).orElse(false)).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    assertEquals(List.of(), left.stream().map(ProcessHandle::pid).toList(), "receiver processes left running");
  }

  private List<String> create(String... extra) {
    List<String> a = new ArrayList<>(List.of("task", "create", "--name", "web", "--source", src.toString(),
        "--image-name", "web-img"));
    a.addAll(List.of(extra));
    return a;
  }

  private static List<String> tags(int n) {
    List<String> a = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      a.add("--tag");
      a.add("team" + i + "=ops");
    }
    return a;
  }

  private static String inFiveMinutes() {
    return "at:" + Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("a run time 5 minutes ahead", List.of("--run", inFiveMinutes()),
            List.of("--run = 'at:", "10 minutes to 30 days")),
        Arguments.of("interval 0", List.of("--incremental", "--interval", "0h", "--max-images", "3"),
            List.of("--interval = '0h'", "1h..168h")),
        Arguments.of("max images 11", List.of("--incremental", "--interval", "6h", "--max-images", "11"),
            List.of("--max-images = '11'", "1..10")),
        Arguments.of("21 tags", tags(21), List.of("--tag = '21 tags'", "at most 20")),
        Arguments.of("an unreadable interval", List.of("--interval", "6 hours", "--max-images", "2"),
            List.of("--interval = '6 hours'", "1h..168h")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void badCreateInputExitsTwoNamingTheFieldItsRangeAndOptionAndCreatesNothing(String what, List<String> extra,
      List<String> said) {
    List<String> args = create();
    args.addAll(extra);
    Run r = smc(args.toArray(String[]::new));
    assertEquals(2, r.code(), what + ": " + r.err());
    assertEquals(1, r.err().lines().count(), "one bad field, one line: " + r.err());
    assertTrue(r.err().startsWith("smc task create: "), r.err());
    for (String s : said) {
      assertTrue(r.err().contains(s), "stderr '" + r.err().strip() + "' does not say " + s);
    }
    assertEquals("", r.out());
    assertFalse(Files.exists(home), "a refused create made the task store");
  }

  @Test
  void severalBadFieldsAreAllNamedAtOnce() {
    List<String> args = create("--run", inFiveMinutes(), "--interval", "0h", "--max-images", "11", "--valid-days",
        "100", "--compress", "12");
    args.addAll(tags(21));
    Run r = smc(args.toArray(String[]::new));
    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(6, lines.size(), r.err());
    for (String option : List.of("--run", "--interval", "--max-images", "--valid-days", "--compress", "--tag")) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("smc task create: " + option + " = ")),
          option + " not named in " + r.err());
    }
    assertTrue(r.err().contains("allowed 7d..90d") && r.err().contains("allowed 0..10"), r.err());
  }

  @Test
  void homeComesFromTheOptionOrSmcHomeAndIsRequired() {
    Run none = smc(Map.of(), "task", "list");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--home is required (or set SMC_HOME)"), none.err());
    ok(create("--run", "create-only").toArray(String[]::new));
    Run byOption = smc(Map.of(), "task", "list", "--home", home.toString());
    assertEquals(0, byOption.code(), byOption.err());
    assertTrue(byOption.out().lines().anyMatch(l -> l.matches("web\\s+Ready\\s+-\\s+0\\s+-\\s+-")), byOption.out());
    assertTrue(smc(Map.of(), "help").out().contains("SMC_HOME"), "the help names SMC_HOME");
    Run noName = smc("task", "show");
    assertEquals(2, noName.code());
    assertTrue(noName.err().contains("the task name is required"), noName.err());
    Run unknown = smc("task", "frob", "web");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown command 'frob'"), unknown.err());
  }

  @Test
  void theHomeRecordsItsRepositorySoLaterCommandsNeedNoRepo() throws IOException {
    Path repo = tmp.resolve("elsewhere/repo");
    ok(create("--run", "create-only", "--repo", repo.toString()).toArray(String[]::new));
    assertEquals(repo.toString(), Files.readString(home.resolve("repository")).strip());
    ok("task", "start", "web");
    Run images = smc(Map.of(), "images", "--repo", repo.toString());
    assertEquals(0, images.code(), images.err());
    assertTrue(images.out().contains("web-img-CYCLE_1"), images.out());
    assertFalse(Files.exists(home.resolve("repo")), "a second repository was made in the home");
    Run same = smc("task", "list", "--repo", tmp.resolve("elsewhere/./repo").toString());
    assertEquals(0, same.code(), same.err());
    Run other = smc("task", "list", "--repo", tmp.resolve("third").toString());
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("--repo '" + tmp.resolve("third") + "': the tasks of " + home
        + " keep their images in " + repo), other.err());
    Run byEnv = smc(Map.of("SMC_HOME", home.toString(), "SMC_REPO", tmp.resolve("third").toString()), "task", "list");
    assertEquals(2, byEnv.code(), byEnv.err());
    assertTrue(byEnv.err().contains("SMC_REPO '" + tmp.resolve("third") + "'"), byEnv.err());
    assertFalse(Files.exists(tmp.resolve("third")), "a refused repository was made");
  }

  @Test
  void aTaskGoesThroughItsLifecycleAndRefusedActionsNameTheState() throws IOException {
    Run created = ok(create("--run", "create-only", "--incremental", "--interval", "2d", "--max-images", "3",
        "--tag", "env=prod", "--exclude", "*.tmp", "--description", "the web server", "--json").toArray(String[]::new));
    assertTrue(created.out().contains("\"state\": \"Ready\"") && created.out().contains("\"interval\": \"2d\"")
        && created.out().contains("\"key\": \"env\""), created.out());

    Run started = ok("task", "start", "web");
    assertTrue(started.out().startsWith("task web: cycle 1 succeeded (image web-img-CYCLE_1)"), started.out());
    assertTrue(started.out().contains("now Waiting, next sync "), started.out());

    Run refused = smc("task", "start", "web");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("task 'web': cannot start while Waiting"), refused.err());

    Run modified = ok("task", "modify", "web", "--new-name", "www", "--max-images", "5", "--json");
    assertTrue(modified.out().contains("\"name\": \"www\"") && modified.out().contains("\"maxImages\": 5"),
        modified.out());
    Run badModify = smc("task", "modify", "www", "--interval", "169h", "--new-name", "9x");
    assertEquals(2, badModify.code(), badModify.err());
    assertTrue(badModify.err().contains("--interval = '169h'") && badModify.err().contains("--new-name = '9x'")
        && !badModify.err().contains(": interval ="), badModify.err());

    ok("task", "pin", "www", "--cycle", "1");
    assertTrue(ok("task", "show", "www", "--json").out().contains("\"pinned\": true"));
    Run paused = ok("task", "pause", "www");
    assertEquals("task www: Stopped", paused.out().strip());
    Run text = ok("task", "show", "www");
    assertTrue(text.out().startsWith("task www (") && text.out().contains("): Stopped")
        && text.out().contains("web-img-CYCLE_1"), text.out());
    assertFalse(text.out().contains("next run"), "a Stopped task runs only when started: " + text.out());
    assertTrue(ok("task", "list").out().lines().anyMatch(l -> l.matches("www\\s+Stopped\\s+-\\s+1\\s+web-img-CYCLE_1\\s+-")),
        "no NEXT RUN");
    assertTrue(ok("task", "show", "www", "--json").out().contains("\"nextRun\": null"), "nor in --json");
    assertTrue(text.out().lines().anyMatch(l -> l.matches("\\s+1 Manual\\s+.*Succeeded.*")), "task start: " + text.out());
    assertTrue(ok("task", "logs", "www").out().lines().anyMatch(l -> l.contains("state Waiting -> Stopped")),
        "the log records the pause");

    Run cut = smc("task", "cutover", "www");
    assertEquals(1, cut.code());
    assertTrue(cut.err().contains("task 'www': cannot cut over while Stopped"), cut.err());
    ok("task", "delete", "www");
    assertEquals("[]", ok("task", "list", "--json").out().strip());
    Run gone = smc("task", "show", "www");
    assertEquals(2, gone.code(), "a task that does not exist is bad input");
    assertTrue(gone.err().contains("'www' does not exist"), gone.err());
  }

  @Test
  void aOneTimeTaskThatRunsNowIsFinishedAndItsCycleFailureExitsOne() throws IOException {
    Run done = ok(create().toArray(String[]::new));
    assertTrue(done.out().contains("cycle 1 succeeded") && done.out().contains("now Finished"), done.out());
    assertTrue(Files.exists(home.resolve("repo/images/web-img-CYCLE_1")), "the image is in HOME/repo");
    String shown = ok("task", "show", "web").out();
    assertTrue(shown.lines().anyMatch(l -> l.matches("\\s+1 RunNow\\s+.*Succeeded.*")), "run mode now: " + shown);
    assertTrue(ok("task", "show", "web", "--json").out().contains("\"type\": \"RunNow\""));
    assertTrue(ok("task", "logs", "web").out().contains("state Ready -> Running: cycle 1 (RunNow) (cause: run mode now)"));

    Path gone = Files.createDirectories(tmp.resolve("vanishing"));
    Run made = ok("task", "create", "--name", "db", "--source", gone.toString(), "--image-name", "db-img",
        "--run", "create-only");
    assertTrue(made.out().contains("task db created: Ready"), made.out());
    Files.delete(gone);
    Run failed = smc("task", "start", "db");
    assertEquals(1, failed.code(), failed.out() + failed.err());
    assertTrue(failed.out().contains("cycle 1 failed"), failed.out());
    assertTrue(failed.err().contains("task db is InError") && failed.err().contains("does not exist"), failed.err());
    ok("task", "delete", "db"); // its receiver, kept for a retry, goes
  }

  /** Issue #11, items 1, 2 and 6 for tasks: what migrate refuses, task create refuses too, before any repository is made. */
  @Test
  void aSourceThatIsTheRepositoryAnAccentedImageNameOrABackwardsRangeAreRefusedAtCreate() throws IOException {
    Path repo = Files.createDirectories(home.resolve("repo"));
    Run same = smc("task", "create", "--name", "web", "--source", repo.toString(), "--image-name", "web-img");
    assertEquals(2, same.code(), same.err());
    assertTrue(same.err().contains("--source '" + repo + "' and the task store's repository '" + repo
        + "' are the same folder"), same.err());
    assertFalse(Files.exists(repo.resolve("config")), "a refused create made a repository in the source");
    Run other = smc("task", "create", "--name", "web", "--source", src.toString(), "--image-name", "web-img",
        "--repo", src.toString());
    assertEquals(2, other.code());
    assertTrue(other.err().contains("and --repo '" + src + "' are the same folder"), other.err());
    Run accent = smc(create().stream().map(a -> a.equals("web-img") ? "w\u00e9b" : a).toArray(String[]::new));
    assertEquals(2, accent.code());
    assertTrue(accent.err().contains("--image-name = 'w\u00e9b'") && accent.err().contains("ASCII")
        && !accent.err().contains("imageName"), accent.err());
    Run range = smc(create("--exclude", "[z-a]").toArray(String[]::new));
    assertEquals(2, range.code());
    assertTrue(range.err().contains("--exclude = '[z-a]'") && !range.err().contains("excludes"), range.err());
  }

  /** Issue #11, item 1 for tasks: a cycle through the task's receiver leaves a repository inside the source out. */
  @Test
  void aRepositoryInsideATasksSourceIsLeftOutOfItsImageAndTheLogSaysSo() throws IOException {
    Path repo = src.resolve("var/smc-repo");
    Run done = ok(create("--repo", repo.toString()).toArray(String[]::new));
    assertTrue(done.out().contains("cycle 1 succeeded"), done.out());
    String logs = ok("task", "logs", "web", "--repo", repo.toString()).out();
    assertTrue(logs.contains("var/smc-repo: left out: the repository " + repo), logs);
    Path restored = tmp.resolve("restored");
    ok("restore", "--repo", repo.toString(), "--image", "web-img-CYCLE_1", "--target", restored.toString());
    assertTrue(Files.exists(restored.resolve("etc/app.conf")));
    assertFalse(Files.exists(restored.resolve("var/smc-repo")), "the repository was copied into its image");
  }
}
