package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The conventions of issue #12 through the real jar: help on every command, the version, the nearest
 * spelling, bash completion, the environment variables, exit 3, and a missing home.
 */
class CliConventionsIT {
  @TempDir
  Path tmp;

  private Path src;
  private SmcJar smc;

  @BeforeEach
  void aServer() throws Exception {
    src = Files.createDirectories(tmp.resolve("server/etc"));
    Files.writeString(src.resolve("app.conf"), "port = 8080\n");
    src = src.getParent();
    smc = new SmcJar(tmp, Map.of());
  }

  /** Every command and subcommand, as typed after smc ("task create"). */
  private static List<String> commands() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(sink, true, StandardCharsets.UTF_8);
    CommandLine root = Main.commandLine(new Cli(p, p, Map.of(), Clock.systemUTC()));
    List<String> all = new ArrayList<>();
    walk(root, "", all);
    return all;
  }

  private static void walk(CommandLine c, String prefix, List<String> all) {
    c.getSubcommands().forEach((name, sub) -> {
      String full = (prefix + " " + name).strip();
      all.add(full);
      walk(sub, full, all);
    });
  }

  @Test
  void everyCommandAndSubcommandPrintsItsHelpAndExitsZero() throws Exception {
    List<String> all = commands();
    assertTrue(all.containsAll(List.of("migrate", "restore", "ls", "diff", "task create", "task import", "serve",
        "receiver", "completion")), all.toString());
    all.remove("help"); // help takes the command to explain: smc help migrate, below
    for (String c : all) {
      List<String> args = new ArrayList<>(List.of(c.split(" ")));
      args.add(c.hashCode() % 2 == 0 ? "--help" : "-h");
      SmcJar.Run r = smc.run(args.toArray(String[]::new));
      assertEquals(0, r.code(), "smc " + args + ": " + r.err());
      assertTrue(r.out().startsWith("Usage: smc " + c), "smc " + args + ": " + r.out());
      // help text is a format string to picocli: a bare % in it (the socket's %2F) printed warnings instead
      assertEquals("", r.err(), "smc " + args + " wrote to stderr");
    }
    SmcJar.Run top = smc.run("--help");
    assertEquals(0, top.code());
    assertTrue(top.out().contains("SMC_REPO") && top.out().contains("Exit codes: 0 done"), top.out());
    SmcJar.Run help = smc.run("help", "migrate");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().startsWith("Usage: smc migrate"), help.out());
  }

  @Test
  void versionNearestSpellingAndCompletion() throws Exception {
    SmcJar.Run v = smc.run("--version");
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().startsWith("smc " + System.getProperty("smc.version", "0.1.0-SNAPSHOT")), v.out());
    SmcJar.Run typo = smc.run("migrat");
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("unknown command 'migrat'; did you mean migrate?"), typo.err());
    SmcJar.Run option = smc.run("migrate", "--sorce", src.toString());
    assertEquals(2, option.code());
    assertTrue(option.err().contains("unknown option --sorce; did you mean --source?"), option.err());
    assertEquals(1, option.err().lines().count(), option.err());
    SmcJar.Run sub = smc.run("task", "lst");
    assertEquals(2, sub.code());
    assertTrue(sub.err().contains("did you mean list"), sub.err());

    Path built = SmcJar.JAR.resolveSibling("smc-completion.bash");
    assertTrue(Files.isRegularFile(built), "the build writes " + built);
    SmcJar.Run script = smc.run("completion");
    assertEquals(Files.readString(built), script.out(), "the built script is what smc completion prints");
    Process check = new ProcessBuilder("bash", "-c", "source " + built + " && complete -p smc").start();
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, check.exitValue(), said);
    assertTrue(said.contains("complete") && said.contains("smc"), said);
    assertTrue(script.out().contains("--image-name") && script.out().contains("cutover"), "options and subcommands");
  }

  @Test
  void theRepositoryAndHomeComeFromTheEnvironment() throws Exception {
    Path repo = tmp.resolve("repo");
    SmcJar env = new SmcJar(tmp.resolve("."), Map.of("SMC_REPO", repo.toString()));
    SmcJar.Run m = env.run("migrate", "--source", src.toString(), "--image-name", "web");
    assertEquals(0, m.code(), m.err());
    SmcJar.Run images = env.run("images", "--json");
    assertEquals(0, images.code(), images.err());
    assertTrue(images.out().contains("\"image\": \"web-CYCLE_1\""), images.out());
    SmcJar.Run none = smc.run("images");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--repo is required (or set SMC_REPO)"), none.err());
    SmcJar.Run pin = env.run("images", "--pin", "sha256:00");
    assertEquals(2, pin.code(), "--pin with a local repository is bad input");
    SmcJar withPin = new SmcJar(tmp, Map.of("SMC_REPO", repo.toString(), "SMC_PIN", "sha256:00"));
    assertEquals(0, withPin.run("images").code(), "SMC_PIN set for other repositories does not refuse a local one");

    Path home = tmp.resolve("home");
    SmcJar.Run typo = smc.run("task", "list", "--home", tmp.resolve("typo").toString());
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("--home '" + tmp.resolve("typo") + "': no such folder"), typo.err());
    assertFalse(Files.exists(tmp.resolve("typo")), "task list made a home");
    SmcJar withHome = new SmcJar(tmp, Map.of("SMC_HOME", home.toString()));
    SmcJar.Run created = withHome.run("task", "create", "--name", "web", "--source", src.toString(),
        "--image-name", "web.example.com", "--run", "create-only");
    assertEquals(0, created.code(), created.err());
    SmcJar.Run list = withHome.run("task", "list");
    assertTrue(list.out().lines().anyMatch(l -> l.matches("web\\s+Ready\\s+-\\s+0\\s+-\\s+-")), list.out());
  }

  @Test
  void aFileThatKeepsChangingWhileReadExitsThreeWithTheWarningOnStderr() throws Exception {
    Path busy = src.resolve("var/db.bin");
    Files.createDirectories(busy.getParent());
    Files.write(busy, new byte[32 << 20]);
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      try (RandomAccessFile f = new RandomAccessFile(busy.toFile(), "rw")) {
        long n = 0;
        while (!stop.get()) {
          f.seek((n++ * 4096) % (32 << 20));
          f.write(new byte[] {(byte) n});
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    writer.start();
    SmcJar.Run r;
    try {
      r = smc.run("migrate", "--source", src.toString(), "--repo", tmp.resolve("repo").toString(), "--image-name",
          "web");
    } finally {
      stop.set(true);
      writer.join();
    }
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("warning: var/db.bin: changed while read"), r.err());
    assertTrue(r.err().contains("image web-CYCLE_1 was made, but some files in it are incomplete"), r.err());
    assertFalse(r.out().contains("warning"), "warnings go to stderr: " + r.out());
    SmcJar.Run clean = smc.run("migrate", "--source", src.toString(), "--repo", tmp.resolve("repo").toString(),
        "--image-name", "web");
    assertEquals(0, clean.code(), "once the file is still the cycle is clean: " + clean.err());
  }
}
