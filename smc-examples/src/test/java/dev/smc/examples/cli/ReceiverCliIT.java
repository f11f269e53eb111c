package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.transfer.files.TreeCompare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smc receiver} as the transit instance, and the commands that reach it with {@code --repo
 * https://HOST:PORT/REPO}: every one a real {@code java -jar target/smc.jar} process (so these run
 * after {@code package}); the receiver listens on a free port of 127.0.0.1 and is stopped after each
 * test, whatever happened.
 */
class ReceiverCliIT {
  private static final Path JAR = Path.of(System.getProperty("smc.jar", "target/smc.jar"));
  private static final String LISTENING = "listening https://127.0.0.1:(\\d+) fingerprint (sha256:[0-9a-f]{64})";

  @TempDir
  Path tmp;

  private Path root;
  private Path certs;
  private Path tokenFile;
  private Path src;
  private Process receiver;
  private int receiverRun;
  private String fingerprint;
  private String url;
  private int runs;

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void aReceiver() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "no " + JAR + ": run mvn package first");
    root = tmp.resolve("receiver-root");
    certs = tmp.resolve("receiver-certs");
    src = tmp.resolve("server");
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String token = HexFormat.of().formatHex(secret);
    Files.writeString(tmp.resolve("tokens"), "# repository token\nr1 " + token + "\n");
    tokenFile = tmp.resolve("r1.token");
    Files.writeString(tokenFile, token + "\n");
    startReceiver();
  }

  /** Starts {@code smc receiver} on a free port and waits until it says where it listens. */
  private void startReceiver() throws Exception {
    receiver = launch(false, "receiver", "--root", root.toString(), "--listen", "127.0.0.1:0", "--cert-dir",
        certs.toString(), "--tokens", tmp.resolve("tokens").toString(), "--unix-socket", socket().toString());
    receiverRun = runs;
    Path out = tmp.resolve(runs + ".out");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Matcher m = Pattern.compile(LISTENING).matcher("");
    while (!m.reset(Files.readString(out)).find()) {
      if (!receiver.isAlive()) {
        throw new AssertionError("the receiver ended: " + finish(receiver, receiverRun));
      }
      assertTrue(System.nanoTime() < deadline, "the receiver did not listen within 30 s");
      Thread.sleep(20);
    }
    fingerprint = m.group(2);
    assertEquals(fingerprint, Files.readString(certs.resolve("fingerprint")).strip(),
        "the fingerprint printed is the one in CERTS/fingerprint");
    url = "https://127.0.0.1:" + m.group(1) + "/r1";
  }

  /** The receiver's Unix socket, beside the test's files. */
  private Path socket() {
    return tmp.resolve("r.sock");
  }

  @AfterEach
  void stopReceiver() throws InterruptedException {
    if (receiver != null && receiver.isAlive()) {
      receiver.destroyForcibly();
      receiver.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process launch(String... args) throws IOException {
    return launch(true, args);
  }

  /**
   * @param quickStart the JIT's first tier only: starts faster, runs slower; not for the receiver (it
   *     checks every pack that arrives) nor for a cycle whose time is measured
   */
  private Process launch(boolean quickStart, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (quickStart) {
      cmd.add("-XX:TieredStopAtLevel=1");
    }
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    int n = ++runs;
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve(n + ".out").toFile())
        .redirectError(tmp.resolve(n + ".err").toFile());
    pb.environment().put("SMC_CACHE_DIR", tmp.resolve("cache").toString()); // not the user's ~/.cache
    return pb.start();
  }

  private Run finish(Process p, int n) throws IOException, InterruptedException {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "smc did not end within 120 s");
    return new Run(p.exitValue(), Files.readString(tmp.resolve(n + ".out")), Files.readString(tmp.resolve(n + ".err")));
  }

  private Run smc(String... args) throws IOException, InterruptedException {
    return finish(launch(args), runs);
  }

  private Run ok(String... args) throws IOException, InterruptedException {
    Run r = smc(args);
    assertEquals(0, r.code(), "smc " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }

  /** {@code args} with {@code --repo URL --token-file F --pin FINGERPRINT} after them. */
  private String[] remote(String... args) {
    return Stream.concat(Stream.of(args), Stream.of("--repo", url, "--token-file", tokenFile.toString(), "--pin",
        fingerprint)).toArray(String[]::new);
  }

  private String[] migrate(String... extra) {
    return remote(Stream.concat(Stream.of("migrate", "--source", src.toString(), "--image-name", "web"),
        Stream.of(extra)).toArray(String[]::new));
  }

  private static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A copy of the tree with everything TreeCompare looks at (times, modes, links). */
  private static void copyTree(Path from, Path to) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.]+)").matcher(json);
    assertTrue(m.find(), "no " + name + " in " + json);
    return m.group(1);
  }

  private static void randomFiles(Path folder, long seed, int count, int size) throws IOException {
    Files.createDirectories(folder);
    Random rnd = new Random(seed);
    byte[] buf = new byte[size];
    for (int i = 0; i < count; i++) {
      rnd.nextBytes(buf);
      Files.write(folder.resolve("data-" + i + ".bin"), buf);
    }
  }

  /** Packs of file data (not the small ones of tree pieces) the receiver has stored. */
  private long dataPacksAtTheReceiver() throws IOException {
    Path data = root.resolve("r1/data");
    if (!Files.isDirectory(data)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(p -> Files.isRegularFile(p) && p.toFile().length() > 1 << 20).count();
    }
  }

  // ------------------------------------------------------------------ tests

  @Test
  void fullAndIncrementalCyclesThroughTheReceiverRestoreExactlyOverHttpsAndFromItsFolder() throws Exception {
    Files.createDirectories(src.resolve("etc/app"));
    Files.createDirectories(src.resolve("var/lib/db"));
    Files.writeString(src.resolve("etc/app/app.conf"), "port = 8080\n");
    byte[] db = new byte[3 << 20];
    new Random(7).nextBytes(db);
    Files.write(src.resolve("var/lib/db/data.bin"), db);
    Files.createSymbolicLink(src.resolve("etc/current"), Path.of("app/app.conf"));
    Run first = ok(migrate());
    assertTrue(first.out().startsWith("web-CYCLE_1: full cycle"), first.out());
    assertTrue(Pattern.compile("(?m)^sent 3\\.0 MiB in \\d+\\.\\d\\d s \\([\\d.]+ (KiB|MiB|GiB)/s\\)$").matcher(first.out()).find(),
        "the report says what was sent: " + first.out());
    copyTree(src, tmp.resolve("at-cycle-1"));

    Files.writeString(src.resolve("etc/app/app.conf"), "port = 9090\n");
    Files.delete(src.resolve("etc/current"));
    Files.createDirectories(src.resolve("srv/www"));
    Files.writeString(src.resolve("srv/www/index.html"), "<h1>hello</h1>\n");
    Run second = ok(migrate("--json"));
    assertTrue(second.out().contains("\"image\": \"web-CYCLE_2\"") && second.out().contains("\"type\": \"INCREMENTAL\""),
        second.out());
    assertTrue(Long.parseLong(field(second.out(), "bytesSent")) < 64 * 1024,
        "the incremental cycle sent the changes only: " + second.out());
    copyTree(src, tmp.resolve("at-cycle-2"));
    Files.writeString(src.resolve("etc/app/app.conf"), "port = 7070\n"); // the images must not follow the source

    Run images = ok(remote("images", "--json"));
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\"image\": \"([^\"]+)\"").matcher(images.out());
    while (m.find()) {
      names.add(m.group(1));
    }
    assertEquals(List.of("web-CYCLE_1", "web-CYCLE_2"), names, images.out());

    for (int cycle = 1; cycle <= 2; cycle++) {
      Path expected = tmp.resolve("at-cycle-" + cycle);
      Path overHttps = tmp.resolve("https-restore-" + cycle);
      ok(remote("restore", "--image", "web-CYCLE_" + cycle, "--target", overHttps.toString()));
      assertEquals(List.of(), TreeCompare.differences(bytes(expected), bytes(overHttps)), "over https, cycle " + cycle);
      Path fromFolder = tmp.resolve("folder-restore-" + cycle);
      ok("restore", "--repo", root.resolve("r1").toString(), "--image", "web-CYCLE_" + cycle, "--target",
          fromFolder.toString());
      assertEquals(List.of(), TreeCompare.differences(bytes(expected), bytes(fromFolder)),
          "from the receiver's folder, cycle " + cycle);
    }
    Run check = ok(remote("check", "--read-data", "--json"));
    assertTrue(check.out().contains("\"ok\": true") && check.out().contains("\"images\": 2"), check.out());
  }

  @Test
  void anAgentOnTheReceiversMachineSendsByItsUnixSocketWithTheTokenAloneAndRestoresExactly() throws Exception {
    Files.createDirectories(src.resolve("etc"));
    Files.writeString(src.resolve("etc/app.conf"), "port = 8080\n");
    byte[] db = new byte[2 << 20];
    new Random(11).nextBytes(db);
    Files.write(src.resolve("data.bin"), db);
    String unix = "http+unix://" + socket().toString().replace("/", "%2F") + "/r1";
    Run first = ok("migrate", "--source", src.toString(), "--image-name", "web", "--repo", unix, "--token-file",
        tokenFile.toString());
    assertTrue(first.out().startsWith("web-CYCLE_1: full cycle"), first.out());
    Path restored = tmp.resolve("unix-restore");
    ok("restore", "--repo", unix, "--token-file", tokenFile.toString(), "--image", "web", "--target",
        restored.toString());
    assertEquals(List.of(), TreeCompare.differences(bytes(src), bytes(restored)), "over the Unix socket");
    Run check = ok(remote("check", "--read-data", "--json")); // over HTTPS: every chunk hashed there
    assertTrue(check.out().contains("\"ok\": true") && check.out().contains("\"images\": 1"), check.out());

    Run pin = smc("images", "--repo", unix, "--token-file", tokenFile.toString(), "--pin", fingerprint);
    assertEquals(2, pin.code(), pin.err());
    assertTrue(pin.err().contains("--pin applies to an https:// --repo only"), pin.err());
    Path wrong = tmp.resolve("wrong.token");
    Files.writeString(wrong, "not-the-token-0123456789abcdef\n");
    Run refused = smc("images", "--repo", unix, "--token-file", wrong.toString());
    assertEquals(1, refused.code(), refused.err());
    assertTrue(refused.err().contains("401"), refused.err());
  }

  @Test
  void bandwidthLimitOf2048KiBpsSends16MiBOfRandomDataInEightSecondsAndTheReportSaysSo() throws Exception {
    // a first cycle without a limit (of other data: nothing of it dedups) warms the receiver, which checks
    // every pack after its last byte came; the measured cycle then shows the limit, not a cold JIT's start
    Path warm = tmp.resolve("warm-up");
    randomFiles(warm, 10, 1, 16 << 20);
    ok(remote("migrate", "--source", warm.toString(), "--image-name", "warm"));
    randomFiles(src, 11, 4, 4 << 20); // 16 MiB that does not compress
    long started = System.nanoTime();
    Process p = launch(false, migrate("--bwlimit", "2048", "--json"));
    Run r = finish(p, runs);
    double wall = (System.nanoTime() - started) / 1e9;
    assertEquals(0, r.code(), "migrate --bwlimit 2048 failed: " + r.err() + r.out());
    long sent = Long.parseLong(field(r.out(), "bytesSent"));
    double seconds = Double.parseDouble(field(r.out(), "seconds"));
    long rate = Long.parseLong(field(r.out(), "rateKBps"));
    String said = "report: " + r.out() + "process: " + wall + " s";
    System.out.printf(java.util.Locale.ROOT, "--bwlimit 2048, 16 MiB random: reported %.3f s, %d KiB/s;"
        + " the process took %.2f s%n", seconds, rate, wall);
    assertTrue(sent >= 16 << 20 && sent < (16 << 20) + (1 << 20), "16 MiB and a little structure: " + said);
    assertTrue(seconds >= 7.2 && seconds <= 8.8, "8 s +- 10 %: " + said);
    assertTrue(wall >= 7.2, "the process took less than the limit allows: " + said);
    assertTrue(rate >= 2048 * 0.9 && rate <= 2048 * 1.1, "2048 KiB/s +- 10 %: " + said);
    assertEquals(sent / 1024.0 / seconds, rate, 1 + rate * 0.01, "rateKBps is bytesSent / 1024 / seconds: " + said);
  }

  @Test
  void killNineOfMigrateMidCycleThenTheSameMigrateCompletesReusingWhatLandedAndRestoresExactly() throws Exception {
    randomFiles(src, 42, 3, 16 << 20);
    long total = 48L << 20;
    // 8 MiB/s: the three 16 MiB packs go up side by side, sharing the limit; the first lands after about
    // 5.5 s, the others a few tenths of a second later (they were cut later), and only then the index and image
    String[] migrate = migrate("--bwlimit", "8192", "--json");
    Process p = launch(migrate);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (dataPacksAtTheReceiver() == 0) {
      if (!p.isAlive()) {
        throw new AssertionError("migrate ended before it could be killed: " + finish(p, runs));
      }
      assertTrue(System.nanoTime() < deadline, "no pack at the receiver within 60 s");
      Thread.sleep(10);
    }
    p.destroyForcibly();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue(), "killed by SIGKILL");
    long landed = dataPacksAtTheReceiver();
    assertFalse(Files.exists(root.resolve("r1/images/web-CYCLE_1")), "the cycle was killed before its image");

    Run again = ok(migrate);
    assertTrue(again.out().contains("\"image\": \"web-CYCLE_1\""), again.out());
    long sent = Long.parseLong(field(again.out(), "bytesSent"));
    assertTrue(sent <= total - landed * (15L << 20), "the second run sent " + sent + " of " + total
        + " bytes: the " + landed + " data pack(s) the killed one landed were not reused");
    Path target = tmp.resolve("restored");
    ok(remote("restore", "--image", "web-CYCLE_1", "--target", target.toString()));
    assertEquals(List.of(), TreeCompare.differences(bytes(src), bytes(target)));
    Run check = ok(remote("check", "--read-data"));
    assertTrue(check.out().contains("no errors"), check.out());
  }

  @Test
  void aWrongPinOrTokenIsRefusedWithExitOneAndNothingWrittenAndAMissingTokenFileIsBadInput() throws Exception {
    Files.createDirectories(src);
    Files.writeString(src.resolve("motd"), "welcome\n");
    String otherPin = "sha256:" + "0f".repeat(32);
    List<String> wrongPin = new ArrayList<>(List.of(migrate()));
    wrongPin.set(wrongPin.indexOf(fingerprint), otherPin);
    Run pin = smc(wrongPin.toArray(String[]::new));
    assertEquals(1, pin.code(), pin.err());
    assertTrue(pin.err().contains(fingerprint) && pin.err().contains(otherPin) && pin.err().contains("--pin"),
        "names both fingerprints and what to check: " + pin.err());

    Path wrongToken = tmp.resolve("wrong.token");
    Files.writeString(wrongToken, "0123456789abcdef0123456789abcdef\n");
    List<String> badToken = new ArrayList<>(List.of(migrate()));
    badToken.set(badToken.indexOf(tokenFile.toString()), wrongToken.toString());
    Run token = smc(badToken.toArray(String[]::new));
    assertEquals(1, token.code(), token.err());
    assertTrue(token.err().contains("refused") && token.err().contains("--token-file"), token.err());

    List<String> missing = new ArrayList<>(List.of(migrate()));
    missing.set(missing.indexOf(tokenFile.toString()), tmp.resolve("no.token").toString());
    Run none = smc(missing.toArray(String[]::new));
    assertEquals(2, none.code(), none.err());
    assertTrue(none.err().contains("--token-file") && none.err().contains("no such file"), none.err());

    if (Files.exists(root)) {
      try (Stream<Path> s = Files.walk(root)) {
        assertEquals(List.of(root), s.toList(), "the receiver's root after refused clients");
      }
    }
  }

  @Test
  void receiverExitsZeroOnSigtermAndServesTheSameRepositoryWithTheSameCertificateAfterARestart() throws Exception {
    Files.createDirectories(src);
    Files.writeString(src.resolve("motd"), "welcome\n");
    ok(migrate());
    String before = fingerprint;
    long stopping = System.nanoTime();
    receiver.destroy();
    Run r = finish(receiver, receiverRun);
    assertEquals(0, r.code(), "exit code after SIGTERM; stderr: " + r.err());
    assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(10), "the receiver took more than 10 s to stop");

    startReceiver();
    assertEquals(before, fingerprint, "a restart keeps the key and certificate agents pinned");
    assertTrue(ok(remote("images")).out().contains("web-CYCLE_1"));
  }
}
