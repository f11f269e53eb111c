package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Items 4 and 7 of issue #12 through the real jar: the progress line on a terminal's stderr (a pty made by
 * {@code script}) while stdout goes to a file, fitted to the terminal's width and erased at the end; a disk image
 * has no files in {@code smc images}, and a partition not chosen is "left out", not "skipped as free".
 */
class ProgressCliIT {
  private static final Pattern DRAWN = Pattern.compile("\r([^\r\033]*)\033\\[K");

  @TempDir
  Path tmp;

  /** Runs {@code smc ARGS > out} on a pty of {@code columns} columns (set with stty); gives what the pty showed. */
  private String onTerminal(int columns, Path out, String... args) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(SmcJar.JAR), "no " + SmcJar.JAR + ": run mvn package first");
    StringBuilder cmd = new StringBuilder("stty cols " + columns + " rows 24; exec '" + Path.of(
        System.getProperty("java.home"), "bin", "java") + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar '"
        + SmcJar.JAR.toAbsolutePath() + "'");
    for (String a : args) {
      cmd.append(" '").append(a).append('\'');
    }
    cmd.append(" > '").append(out).append('\'');
    ProcessBuilder pb = new ProcessBuilder("script", "-qfc", cmd.toString(), "/dev/null")
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("COLUMNS"); // the width comes from the terminal itself
    pb.environment().remove("SMC_REPO");
    Process p = pb.start();
    String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "smc did not end");
    assertEquals(0, p.exitValue(), shown);
    return shown;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
  }

  /** A server's root: a file system of its own (tmpfs), whose used bytes are the first cycle's estimate. */
  private Path tree() throws IOException, InterruptedException {
    Path root = Files.createDirectories(tmp.resolve("server"));
    run("mount", "-t", "tmpfs", "-o", "size=32m", "smc-progress-it", root.toString());
    mounted = root;
    Path src = Files.createDirectories(root.resolve("data"));
    Random rnd = new Random(4);
    for (int i = 0; i < 6; i++) {
      byte[] b = new byte[1 << 20];
      rnd.nextBytes(b);
      Files.write(src.resolve("f" + i), b);
    }
    return src.getParent();
  }

  @Nullable private Path mounted;

  @AfterEach
  void unmount() throws IOException, InterruptedException {
    if (mounted != null) {
      run("umount", mounted.toString());
    }
  }

  @Test
  void theProgressLineFitsTheTerminalSaysPercentSentAndEtaAndIsErasedWhileStdoutIsAFile() throws Exception {
    Path src = tree();
    for (int columns : new int[] {80, 40}) {
      Path out = tmp.resolve("out-" + columns + ".txt");
      String shown = onTerminal(columns, out, "migrate", "--source", src.toString(), "--repo",
          tmp.resolve("repo-" + columns).toString(), "--image-name", "web", "--bwlimit", "2048");
      List<String> drawn = DRAWN.matcher(shown).results().map(r -> r.group(1)).toList();
      assertFalse(drawn.isEmpty(), columns + " columns: no progress line on the terminal: " + shown);
      assertEquals("", drawn.get(drawn.size() - 1), "erased at the end: " + drawn);
      List<String> lines = drawn.stream().filter(l -> !l.isEmpty()).toList();
      assertTrue(lines.size() >= 2, columns + " columns: a 6 MiB cycle at 2 MiB/s redraws its line: " + shown);
      for (String l : lines) {
        assertTrue(l.length() <= columns - 1, columns + " columns, never wider: [" + l + "]");
        assertTrue(l.matches("~?\\d+\\.\\d% .*"), "a percent from the start: [" + l + "]");
        assertFalse(l.contains("-1"), l);
      }
      // an ETA once there is a rate (not in the very first line, drawn before anything was read)
      assertTrue(lines.stream().anyMatch(l -> l.matches(".*ETA (\\d+s|\\d+m\\d\\ds)")), "ETA as 1m23s: " + lines);
      if (columns == 80) {
        assertTrue(lines.stream().anyMatch(l -> l.contains("sent ") && l.contains("/s")),
            "sent and its rate: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("read ")), "read and its rate: " + lines);
      }
      assertFalse(shown.contains("web-CYCLE_1: full cycle"), "the report went to stdout, not the terminal");
      String report = Files.readString(out);
      assertTrue(report.contains("web-CYCLE_1: full cycle"), report);
      assertFalse(report.contains("\r") || report.contains("\033"), "no progress on stdout: " + report);
    }
  }

  private static void tool(String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
  }

  @Test
  void aDiskImageHasNoFilesAndAPartitionNotChosenIsLeftOutNotFree() throws Exception {
    Path disk = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(48L << 20);
    }
    tool("sgdisk", "-o", "-n", "1:2048:+24M", "-t", "1:8300", "-n", "2:51200:+16M", "-t", "2:8300", disk.toString());
    tool("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-E", "offset=" + 2048 * 512 + ",nodiscard", disk.toString(),
        Long.toString((24L << 20) / 4096));
    SmcJar smc = new SmcJar(tmp, Map.of("SMC_REPO", tmp.resolve("repo").toString()));
    SmcJar.Run run = smc.run("migrate", "--source", disk.toString(), "--image-name", "vm", "--partitions", "1");
    assertEquals(0, run.code(), run.err());
    // partition 2: 16 MiB of 4 KiB blocks, none of them free space
    assertTrue(run.out().contains(" 4096 left out (partitions not selected),"), run.out());
    Matcher free = Pattern.compile("(\\d+) skipped as free").matcher(run.out());
    assertTrue(free.find(), run.out());
    long freeBlocks = Long.parseLong(free.group(1));
    assertTrue(freeBlocks > 0 && freeBlocks < (24L << 20) / 4096, "only partition 1's free blocks: " + run.out());
    SmcJar.Run json = smc.run("migrate", "--source", disk.toString(), "--image-name", "vm", "--partitions", "1",
        "--json");
    assertTrue(json.out().contains("\"blocksLeftOut\": 4096") || json.out().contains("\"blocksLeftOut\":4096"),
        json.out());
    SmcJar.Run images = smc.run("images");
    assertEquals(0, images.code(), images.err());
    assertTrue(images.out().lines().skip(1).allMatch(l -> l.matches("vm-CYCLE_\\d\\s+BLOCKS\\s+\\S+\\s+-\\s+.*")),
        "a disk image has no files: " + images.out());
    SmcJar.Run imagesJson = smc.run("images", "--json");
    assertFalse(imagesJson.out().matches("(?s).*\"files\": ?1.*"), imagesJson.out());
  }
}
