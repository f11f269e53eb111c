package dev.smc.examples.cli;

import static dev.smc.examples.cli.CliRun.ok;
import static dev.smc.examples.cli.CliRun.smc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.transfer.files.TreeCompare;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The smc command line, run in-process: exit codes, messages, and what each command does to a repository. */
class MainTest {
  @TempDir
  Path tmp;

  private Path src;
  private Path repo;




  @BeforeEach
  void aSmallServer() throws IOException {
    src = tmp.resolve("server");
    repo = tmp.resolve("repo");
    Random rnd = new Random(5);
    Files.createDirectories(src.resolve("etc/app"));
    Files.createDirectories(src.resolve("var/lib/db"));
    Files.createDirectories(src.resolve("empty"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(src.resolve("etc/app/conf-" + i + ".ini"), "key" + i + " = " + rnd.nextInt() + "\n".repeat(i));
    }
    byte[] db = new byte[3 << 20];
    rnd.nextBytes(db);
    Files.write(src.resolve("var/lib/db/data.bin"), db);
    Files.createSymbolicLink(src.resolve("etc/current"), Path.of("app/conf-0.ini"));
    Files.createLink(src.resolve("etc/app/hard"), src.resolve("etc/app/conf-1.ini"));
    Files.setPosixFilePermissions(src.resolve("etc/app/conf-2.ini"), PosixFilePermissions.fromString("rw-------"));
  }

  private String[] migrate(String... extra) {
    return Stream.concat(Stream.of("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name",
        "web"), Stream.of(extra)).toArray(String[]::new);
  }

  private static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ bad arguments

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("--compress", "11"), List.of("--compress", "'11'", "0..10")),
        Arguments.of(List.of("--bwlimit", "-1"), List.of("--bwlimit", "'-1'", "0..")),
        Arguments.of(List.of("--threads", "many"), List.of("--threads", "'many'", "1..256")),
        Arguments.of(List.of("--frobnicate"), List.of("unknown option --frobnicate", "allowed:", "--compress")),
        Arguments.of(List.of("--compress"), List.of("--compress", "needs a value")),
        Arguments.of(List.of("--checksum=yes"), List.of("--checksum", "takes no value")),
        Arguments.of(List.of("--image-name", "other"), List.of("--image-name", "given more than once")));
  }

  @ParameterizedTest(name = "migrate ... {0}")
  @MethodSource("badArguments")
  void aBadMigrateOptionExitsWithTwoAndOneLineNamingItAndWhatIsAllowed(List<String> extra, List<String> said) {
    assertBadArguments(smc(migrate(extra.toArray(String[]::new))), said);
  }

  @Test
  void missingOrMalformedArgumentsExitWithTwoAndNameTheOption() throws IOException {
    assertBadArguments(smc("migrate", "--repo", repo.toString(), "--image-name", "web"),
        List.of("--source is required"));
    assertBadArguments(smc("migrate", "--source", src.resolve("nope").toString(), "--repo", repo.toString(),
        "--image-name", "web"), List.of("--source", "does not exist", "allowed a folder"));
    assertBadArguments(smc("migrate", "--source", src.toString(), "--repo", repo.toString(), "--image-name", "1abc"),
        List.of("--image-name", "'1abc'", "starting with a letter"));
    ok(migrate());
    assertBadArguments(smc("restore", "--repo", repo.toString(), "--image", "web-3", "--target",
        tmp.resolve("t").toString()), List.of("--image", "'web-3'", "no image of name", "NAME-CYCLE_N"));
    assertBadArguments(smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_0", "--target",
        tmp.resolve("t").toString()), List.of("--image", "NAME-CYCLE_3"));
    assertBadArguments(smc("forget", "--repo", repo.toString(), "--image-name", "web", "--keep", "0"),
        List.of("--keep", "'0'", "a whole number 1.."));
    assertBadArguments(smc("check"), List.of("--repo is required"));
    assertBadArguments(smc("check", "--repo", tmp.resolve("no-repo-here").toString()), List.of("--repo", "no smc"
        + " repository"));
    assertBadArguments(smc("images", "--repo", repo.toString(), "extra"), List.of("unexpected argument 'extra'"));
    assertBadArguments(smc("transmogrify"), List.of("unknown command 'transmogrify'", "allowed:"));
    assertEquals(2, smc().code(), "no command at all");
  }

  static Stream<Arguments> badRemoteArguments() {
    return Stream.of(
        Arguments.of(List.of(), List.of("--token-file is required")),
        Arguments.of(List.of("--token-file", "no-such-token"), List.of("--token-file", "'no-such-token'",
            "no such file")),
        Arguments.of(List.of("--token-file", "@empty"), List.of("--token-file", "empty", "first line")),
        Arguments.of(List.of("--token-file", "@spaced"), List.of("--token-file", "without spaces")),
        Arguments.of(List.of("--token-file", "@token", "--pin", "sha256:abc"), List.of("--pin", "'sha256:abc'",
            "64 hex digits", "CERTS/fingerprint")),
        Arguments.of(List.of("--token-file", "@token", "--pin", "abcd"), List.of("--pin", "'abcd'", "sha256:HEX")),
        Arguments.of(List.of("--token-file", "@token", "--proxy", "proxy.example"), List.of("--proxy",
            "'proxy.example'", "HOST:PORT")),
        Arguments.of(List.of("--token-file", "@token", "--proxy", "proxy.example:0"), List.of("--proxy", "1-65535")));
  }

  /**
   * {@code @name} is a file in the temporary folder. Nothing listens on port 9 of 127.0.0.1: every case
   * must fail on its arguments, before connecting.
   */
  @ParameterizedTest(name = "images --repo https://... {0}")
  @MethodSource("badRemoteArguments")
  void aBadRemoteRepositoryOptionExitsWithTwoBeforeConnectingAndSaysWhatIsAllowed(List<String> extra,
      List<String> said) throws IOException {
    Files.writeString(tmp.resolve("token"), "0123456789abcdef0123456789abcdef\n");
    Files.writeString(tmp.resolve("empty"), "\n  \n");
    Files.writeString(tmp.resolve("spaced"), "0123456789abcdef 0123456789abcdef\n");
    List<String> args = new ArrayList<>(List.of("images", "--repo", "https://127.0.0.1:9/r1"));
    extra.forEach(e -> args.add(e.startsWith("@") ? tmp.resolve(e.substring(1)).toString() : e));
    long started = System.nanoTime();
    assertBadArguments(smc(args.toArray(String[]::new)), said);
    assertTrue(System.nanoTime() - started < 10_000_000_000L, "bad arguments were not refused at once");
  }

  @Test
  void remoteOptionsWithALocalRepositoryOrAMalformedReceiverAddressExitWithTwo() throws IOException {
    Path token = tmp.resolve("token");
    Files.writeString(token, "0123456789abcdef0123456789abcdef\n");
    assertBadArguments(smc(migrate("--token-file", token.toString())), List.of("migrate: --token-file applies to"
        + " an https:// --repo only"));
    assertBadArguments(smc("images", "--repo", repo.toString(), "--pin", "sha256:" + "ab".repeat(32)),
        List.of("--pin applies to an https:// --repo only"));
    assertTrue(Files.notExists(repo), "a refused command created the repository folder");
    assertBadArguments(smc("images", "--repo", "https://127.0.0.1:9/r1/more", "--token-file", token.toString()),
        List.of("repo", "https://HOST:PORT/REPO"));
  }

  private static void assertBadArguments(CliRun r, List<String> said) {
    assertEquals(2, r.code(), "exit code; stderr: " + r.err());
    assertEquals(1, r.errLines().size(), "stderr is one line: " + r.err());
    for (String s : said) {
      assertTrue(r.err().contains(s), "stderr '" + r.err().strip() + "' does not say " + s);
    }
    assertEquals("", r.out(), "stdout on bad arguments");
  }

  // ------------------------------------------------------------------ commands

  @Test
  void migrateTwiceMakesCycleOneAndTwoAndImagesJsonListsBoth() throws IOException {
    CliRun first = ok(migrate("--json"));
    assertTrue(first.out().contains("\"image\": \"web-CYCLE_1\""), first.out());
    assertTrue(first.out().contains("\"type\": \"FULL\""), first.out());
    Files.writeString(src.resolve("etc/app/conf-3.ini"), "changed\n");
    CliRun second = ok(migrate("--json", "--compress", "3", "--checksum"));
    assertTrue(second.out().contains("\"image\": \"web-CYCLE_2\""), second.out());
    assertTrue(second.out().contains("\"type\": \"INCREMENTAL\""), second.out());
    assertTrue(second.out().contains("\"filesReused\": 20"), "21 files, one changed: " + second.out());
    assertTrue(second.out().contains("\"bytesRead\": 8"), "only the changed file is read: " + second.out());

    CliRun images = ok("images", "--repo", repo.toString(), "--json");
    assertTrue(images.out().contains("\"image\": \"web-CYCLE_1\""), images.out());
    assertTrue(images.out().contains("\"image\": \"web-CYCLE_2\""), images.out());
    assertTrue(images.out().contains("\"parent\": \"web-CYCLE_1\""), images.out());
    CliRun table = ok("images", "--repo", repo.toString());
    assertEquals(3, table.out().lines().count(), "a header and two images: " + table.out());
  }

  @Test
  void migrateReportSaysWhatWasSentInHowLongAndHowFast() throws IOException {
    CliRun human = ok(migrate());
    Matcher line = Pattern.compile("(?m)^sent (\\d+\\.\\d (?:KiB|MiB)) in (\\d+\\.\\d\\d) s \\((\\d+\\.\\d (?:KiB|MiB|GiB))/s\\)$")
        .matcher(human.out());
    assertTrue(line.find(), "no 'sent X in Y s (Z MiB/s)' line: " + human.out());
    assertTrue(human.out().contains(" stored (") && human.out().contains(line.group(1) + " stored"),
        "what was sent is what was stored: " + human.out());

    Files.writeString(src.resolve("etc/app/conf-4.ini"), "changed\n");
    CliRun json = ok(migrate("--json"));
    long stored = number(json.out(), "bytesStored");
    long sent = number(json.out(), "bytesSent");
    double seconds = Double.parseDouble(field(json.out(), "seconds"));
    long rate = number(json.out(), "rateKBps");
    assertEquals(stored, sent, json.out());
    assertTrue(sent > 0 && seconds > 0, json.out());
    // seconds is rounded to the millisecond, the rate computed from the exact time
    double fastest = sent / 1024.0 / Math.max(seconds - 0.0005, 1e-6);
    double slowest = sent / 1024.0 / (seconds + 0.0005);
    assertTrue(rate >= Math.floor(slowest) && rate <= Math.ceil(fastest),
        "rateKBps is bytesSent / 1024 / seconds: " + json.out());
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": ([0-9.]+)").matcher(json);
    assertTrue(m.find(), "no " + name + " in " + json);
    return m.group(1);
  }

  private static long number(String json, String name) {
    return Long.parseLong(field(json, name));
  }

  @Test
  void restoreMakesATreeEqualToTheSource() throws IOException {
    ok(migrate());
    Path target = tmp.resolve("restored");
    CliRun r = ok("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", target.toString());
    assertTrue(r.out().contains("restored web-CYCLE_1"), r.out());
    assertEquals(List.of(), TreeCompare.differences(bytes(src), bytes(target)));

    CliRun again = smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_1", "--target", target.toString());
    assertEquals(2, again.code(), "restoring into a non-empty folder is bad input: " + again.err());
    assertTrue(again.err().contains("must be an empty folder"), again.err());
    CliRun missing = smc("restore", "--repo", repo.toString(), "--image", "web-CYCLE_9", "--target",
        tmp.resolve("t9").toString());
    assertEquals(2, missing.code(), "an image the repository lacks is bad input");
    assertTrue(missing.err().contains("web-CYCLE_9"), missing.err());
  }

  @Test
  void checkExitsZeroThenOneUnderReadDataAfterAByteOfAPackFlips() throws IOException {
    ok(migrate());
    ok("check", "--repo", repo.toString());
    CliRun clean = ok("check", "--repo", repo.toString(), "--read-data", "--json");
    assertTrue(clean.out().contains("\"ok\": true"), clean.out());

    Path pack;
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      pack = s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    long at = middleOfFirstDataChunk(pack);
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    ok("check", "--repo", repo.toString()); // file data is not read without --read-data: the structure is intact
    CliRun damaged = smc("check", "--repo", repo.toString(), "--read-data");
    assertEquals(1, damaged.code(), damaged.out());
    assertTrue(damaged.out().contains("error: ") && damaged.out().contains(pack.getFileName().toString()),
        "the damaged pack is not named: " + damaged.out());
  }

  /**
   * Where to flip a byte so that only file data is damaged (not a tree piece, which a structural
   * check reads): the middle of the first data chunk, from the pack's trailer (docs/architecture.md:
   * entries of type u8, codec u8, offset u32, stored u32, raw u32, id 32; then length u32, magic).
   */
  private static long middleOfFirstDataChunk(Path pack) throws IOException {
    byte[] all = Files.readAllBytes(pack);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int trailer = b.getInt(all.length - 12);
    int start = all.length - trailer;
    int count = b.getInt(start);
    for (int i = 0; i < count; i++) {
      int e = start + 4 + i * 46;
      int stored = b.getInt(e + 6);
      if (all[e] == 0 && stored >= 2) {
        return b.getInt(e + 2) + stored / 2;
      }
    }
    throw new AssertionError("no data chunk in " + pack);
  }

  @Test
  void forgetAndGcKeepOnlyTheNewestCycleWhichStillRestores() throws IOException {
    ok(migrate());
    byte[] other = new byte[2 << 20];
    new Random(6).nextBytes(other);
    Files.write(src.resolve("var/lib/db/data.bin"), other); // cycle 1's 3 MiB are used by cycle 1 only
    ok(migrate());
    long before = dataBytes();

    CliRun forget = ok("forget", "--repo", repo.toString(), "--image-name", "web", "--keep", "1");
    assertTrue(forget.out().contains("web-CYCLE_1"), forget.out());
    CliRun dry = ok("gc", "--repo", repo.toString(), "--dry-run", "--json");
    assertTrue(dry.out().contains("\"bytesFreed\": "), dry.out());
    assertEquals(before, dataBytes(), "gc --dry-run changed data/");
    CliRun gc = ok("gc", "--repo", repo.toString(), "--json");
    assertTrue(gc.out().contains("\"bytesAfter\": "), gc.out());
    assertTrue(dataBytes() < before - (3 << 20) * 9 / 10, "data/ went from " + before + " to " + dataBytes());

    CliRun images = ok("images", "--repo", repo.toString(), "--json");
    assertTrue(!images.out().contains("\"image\": \"web-CYCLE_1\"") && images.out().contains("\"image\": \"web-CYCLE_2\""),
        images.out());
    ok("check", "--repo", repo.toString(), "--read-data");
    Path target = tmp.resolve("restored");
    ok("restore", "--repo", repo.toString(), "--image", "web-CYCLE_2", "--target", target.toString());
    assertEquals(List.of(), TreeCompare.differences(bytes(src), bytes(target)));
    assertEquals("nothing to forget", ok("forget", "--repo", repo.toString(), "--image-name", "web", "--keep", "1")
        .out().strip());
  }

  private long dataBytes() throws IOException {
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void demoExitsZero() {
    CliRun r = ok("demo", "--dir", tmp.resolve("demo").toString());
    assertTrue(r.out().contains("verified"), r.out());
    assertTrue(r.out().contains("demo-web-CYCLE_3"), r.out());
  }

  // ------------------------------------------------------------------ describe

  /** Runs a disk tool (from /usr/sbin too); returns its output. */
  private static String tool(String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", pb.environment().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  /** A 64 MiB GPT disk by sgdisk: 1 root (ext4 "rootfs"), 2 swap, 3 data (nothing in it). */
  private Path gptDisk() throws IOException, InterruptedException {
    Path disk = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(64 << 20);
    }
    tool("sgdisk", "-n", "1:2048:+24M", "-t", "1:8300", "-c", "1:root", "-n", "2:0:+8M", "-t", "2:8200", "-c",
        "2:swap", "-n", "3:0:0", "-t", "3:0700", "-c", "3:data", disk.toString());
    tool("mke2fs", "-q", "-F", "-t", "ext4", "-L", "rootfs", "-E", "offset=" + 2048 * 512, disk.toString(), "24M");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(51200L * 512 + 4096 - 10);
      f.write("SWAPSPACE2".getBytes(StandardCharsets.US_ASCII));
    }
    return disk;
  }

  @Test
  void describeListsEachPartitionOfAGptDiskWithTheStartAndSizeSfdiskGives() throws IOException, InterruptedException {
    Path disk = gptDisk();
    List<long[]> sfdisk = new ArrayList<>();
    Matcher m = Pattern.compile("\"start\": (\\d+),\\s*\"size\": (\\d+)").matcher(tool("sfdisk", "-J",
        disk.toString()));
    while (m.find()) {
      sfdisk.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    assertEquals(3, sfdisk.size());

    String json = ok("describe", "--source", disk.toString(), "--json").out();
    assertTrue(json.contains("\"table\": \"GPT\"") && json.contains("\"backupHeaderValid\": true"), json);
    for (int i = 0; i < 3; i++) {
      long start = sfdisk.get(i)[0];
      long size = sfdisk.get(i)[1];
      String expected = "\"number\": " + (i + 1) + ",\n      \"startSector\": " + start + ",\n      \"sectors\": "
          + size + ",\n      \"startBytes\": " + start * 512 + ",\n      \"sizeBytes\": " + size * 512 + ",";
      assertTrue(json.contains(expected), "no " + expected + " in " + json);
    }
    assertTrue(json.contains("\"type\": \"ext4\",\n        \"label\": \"rootfs\""), json);
    assertTrue(json.contains("\"type\": \"swap\""), json);

    List<String> text = ok("describe", "--source", disk.toString()).out().lines().toList();
    assertTrue(text.get(0).startsWith(disk + ": 64.0 MiB (67108864 bytes), 512-byte sectors, GPT, disk GUID "),
        text.get(0));
    assertEquals("GPT headers: primary valid, backup (LBA 131071) valid", text.get(1));
    assertEquals(List.of("#", "START", "SECTORS", "SIZE", "TYPE", "NAME", "FS", "LABEL", "USED"),
        List.of(text.get(2).trim().split("\\s+")));
    assertTrue(text.get(3).matches("1\\s+2048\\s+49152\\s+24\\.0 MiB\\s+Linux filesystem\\s+root\\s+ext4\\s+rootfs"
        + "\\s+\\d+\\.\\d (KiB|MiB)"), text.get(3));
    assertTrue(text.get(4).matches("2\\s+51200\\s+16384\\s+8\\.0 MiB\\s+Linux swap\\s+swap\\s+swap\\s+-\\s+-"),
        text.get(4));
    assertTrue(text.get(5).matches("3\\s+67584\\s+63455\\s+31\\.0 MiB\\s+Microsoft basic data\\s+data\\s+-\\s+-\\s+-"),
        text.get(5));
    assertEquals(6, text.size(), String.join("\n", text));
  }

  @Test
  void describeFindsTheFileSystemOfADiskWithoutAPartitionTable() throws IOException, InterruptedException {
    Path disk = tmp.resolve("bare.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(16 << 20);
    }
    tool("mke2fs", "-q", "-F", "-t", "ext3", "-L", "bare", disk.toString());
    String json = ok("describe", "--source", disk.toString(), "--json").out();
    assertTrue(json.contains("\"table\": \"NONE\"") && json.contains("\"partitions\": []")
        && json.contains("\"type\": \"ext3\",\n    \"label\": \"bare\""), json);
    String text = ok("describe", "--source", disk.toString()).out();
    assertTrue(text.contains("no partition table") && text.lines().anyMatch(l -> l.matches(
        "-\\s+0\\s+32768\\s+16\\.0 MiB\\s+whole disk\\s+-\\s+ext3\\s+bare\\s+.*")), text);
  }

  @Test
  void describeWithAMissingOrUnusableSourceExitsTwoNamingSource() throws IOException, InterruptedException {
    assertBadArguments(smc("describe"), List.of("--source is required", "disk image", "--disk"));
    assertBadArguments(smc("describe", "--disk", tmp.resolve("nope.img").toString()),
        List.of("--disk", "nope.img", "no such file"));
    assertBadArguments(smc("describe", "--source", "/", "--disk", "/dev/null"), List.of("one or the other"));
    assertBadArguments(smc("describe", "--source", tmp.resolve("nope.img").toString()),
        List.of("--source", "nope.img", "no such file"));
    Path fifo = tmp.resolve("fifo");
    tool("mkfifo", fifo.toString());
    assertBadArguments(smc("describe", "--source", fifo.toString()),
        List.of("--source", "neither a regular file nor a block device"));
    assertBadArguments(smc("describe", "--source", "x", "--frob"), List.of("unknown option --frob"));
  }

  @Test
  void describeOfADamagedTableExitsOneWithTheOffset() throws IOException {
    Path disk = tmp.resolve("bad.img");
    byte[] s0 = new byte[1 << 20];
    s0[446 + 4] = (byte) 0xee; // a protective MBR entry, and no GPT anywhere
    s0[510] = 0x55;
    s0[511] = (byte) 0xaa;
    Files.write(disk, s0);
    CliRun r = smc("describe", "--source", disk.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("smc describe: error: ") && r.err().contains("at offset 446"), r.err());
  }

  @Test
  void describeOfAFolderSaysItHasNoDisks() throws IOException, InterruptedException {
    String text = ok("describe", "--source", tmp.toString()).out();
    assertTrue(text.contains("no disks: a folder"), text);
  }

  @Test
  void describeOfAServersTwoDisksShowsItsPartitionsFileSystemsAndMounts() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
    dev.smc.testkit.TwoDiskServer srv = dev.smc.testkit.TwoDiskServer.build(tmp);
    String json = ok("describe", "--disk", srv.system().toString(), "--disk", srv.data().toString(), "--json").out();
    for (String want : List.of("\"osName\": \"Debian GNU/Linux 12 (bookworm)\"", "\"hostname\": \"srv1\"",
        "\"table\": \"GPT\"", "\"table\": \"MBR\"", "\"id\": \"0_2\"", "\"id\": \"0_3\"", "\"id\": \"1_1\"",
        "\"uuid\": \"" + dev.smc.testkit.TwoDiskServer.DATA_UUID + "\"", "\"label\": \"rootfs\"",
        "\"mountPoint\": \"/data\",\n      \"fsType\": \"ext4\",\n      \"disk\": 1,\n      \"partition\": 1",
        "\"warnings\": []")) {
      assertTrue(json.contains(want), "no " + want + " in " + json);
    }
    List<String> text = ok("describe", "--disk", srv.system().toString(), "--disk", srv.data().toString()).out()
        .lines().toList();
    assertEquals("server srv1: LINUX (Debian GNU/Linux 12 (bookworm)), x86_64", text.get(0));
    assertTrue(text.stream().anyMatch(l -> l.matches("\\s+0_2\\s+2\\.0 MiB\\s+40\\.0 MiB\\s+Linux filesystem\\s+root"
        + "\\s+ext4\\s+" + dev.smc.testkit.TwoDiskServer.ROOT_UUID + "\\s+rootfs\\s+\\S+ \\S+\\s+/")), String.join("\n", text));
    assertTrue(text.stream().anyMatch(l -> l.matches("\\s+/data\\s+ext4\\s+partition 1_1\\s+UUID=.*")),
        String.join("\n", text));
  }

  @Test
  void describeOfThisMachineListsItsDisksNotItsVirtualFileSystems() throws IOException, InterruptedException {
    String json = ok("describe", "--source", "/", "--json").out();
    assertTrue(json.contains("\"mountPoint\": \"/\""), json);
    for (String virtual : List.of("\"fsType\": \"proc\"", "\"fsType\": \"sysfs\"", "\"fsType\": \"tmpfs\"",
        "\"fsType\": \"cgroup")) {
      assertFalse(json.contains(virtual), virtual + " in " + json);
    }
  }

  @Test
  void aTargetLayoutThatCannotHoldTheServerExitsTwoNamingEachField() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
    dev.smc.testkit.TwoDiskServer srv = dev.smc.testkit.TwoDiskServer.build(tmp);
    String d0 = srv.system().toString();
    String d1 = srv.data().toString();
    CliRun ranges = smc("describe", "--disk", d0, "--disk", d1, "--system-disk", "19", "--data-disk", "1=40000");
    assertEquals(2, ranges.code(), ranges.err());
    assertTrue(ranges.err().contains("--system-disk = '19': allowed 20..500"), ranges.err());
    assertTrue(ranges.err().contains("--data-disk 1 = '40000': allowed 20..32768"), ranges.err());
    // partition 1 (BIOS boot) has no file system: block by block, its size kept
    assertBadArguments(smc("describe", "--disk", d0, "--disk", d1, "--partition", "0_1=2"),
        List.of("--partition 0_1 = '2': block-level partitions keep their size: 1.0 MiB"));
    assertBadArguments(smc("describe", "--disk", d0, "--disk", d1, "--block", "0_2", "--partition", "0_2=5"),
        List.of("--partition 0_2 = '5': block-level partitions keep their size: 40.0 MiB"));
    CliRun overflow = smc("describe", "--disk", d0, "--disk", d1, "--system-disk", "20", "--partition", "0_2=20");
    assertEquals(2, overflow.code(), overflow.err());
    assertTrue(overflow.err().contains("--partition 0_2 = '20': to end within the 20 GiB of disk 0 (systemDiskGiB)"),
        overflow.err());
    assertTrue(overflow.err().contains("--partition 0_3 = '0_3': to end within the 20 GiB of disk 0"), overflow.err());
    assertBadArguments(smc("describe", "--disk", d0, "--partition", "0_2=x"), List.of("--partition '0_2=x'",
        "DISK_PART=GIB"));
    assertBadArguments(smc("migrate", "--disk", d0, "--disk", d1, "--data-disks", "2", "--repo",
        tmp.resolve("r").toString(), "--image-name", "srv"), List.of("--data-disks '2': allowed data disks 1..1"));
    assertBadArguments(smc("migrate", "--source", d0, "--data-disks", "1", "--repo", tmp.resolve("r").toString(),
        "--image-name", "srv"), List.of("--data-disks '1': allowed with --disk only"));
    String fits = ok("describe", "--disk", d0, "--disk", d1, "--system-disk", "30", "--partition", "0_2=25",
        "--data-disk", "1=20").out();
    assertTrue(fits.startsWith("target layout: fits the source\ndisk 0 (system): 30.0 GiB"), fits);
    assertTrue(fits.lines().anyMatch(l -> l.matches("\\s+0_2\\s+ext4\\s+40\\.0 MiB ->\\s+25\\.0 GiB\\s+file by file")),
        fits);

    // a disk source is copied block by block: its partitions keep their sizes
    String home = tmp.resolve("home").toString();
    assertBadArguments(smc("task", "create", "--home", home, "--name", "disk", "--source", d0, "--image-name", "dsk",
        "--run", "create-only", "--partition", "0_2=1"), List.of("--partition 0_2 = '1': block-level partitions keep"));
    assertFalse(Files.exists(tmp.resolve("home")), "a refused task create made a home");
    ok("task", "create", "--home", home, "--name", "disk", "--source", d0, "--image-name", "dsk", "--run",
        "create-only", "--system-disk", "20");
    String stored;
    try (java.util.stream.Stream<Path> files = Files.list(tmp.resolve("home/tasks"))) {
      stored = Files.readString(files.filter(f -> f.toString().endsWith(".task")).findFirst().orElseThrow());
    }
    assertTrue(stored.contains("spec.targetDisks.system=20") && stored.contains("spec.targetDisks.block=0_1,0_2,0_3"),
        stored);
  }
}
