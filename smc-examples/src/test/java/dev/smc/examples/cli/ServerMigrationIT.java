package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.smc.testkit.TreeState;
import dev.smc.testkit.TwoDiskServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server of two disks (GPT system disk: BIOS boot, ext4 root, swap; MBR data disk: ext4 at /data per the root's
 * fstab) migrated with {@code smc migrate --disk D0 --disk D1} through three cycles with changes on both disks
 * between them, through the real jar: every cycle restores the server's files exactly as they were at that cycle
 * (content, type, mode, owner, ns mtime, symlinks, hard links, xattrs), and the disks are byte-identical before
 * and after every cycle.
 */
class ServerMigrationIT {
  @TempDir
  Path tmp;

  @Test
  void threeCyclesOfATwoDiskServerEachRestoreItsFilesExactlyAndNeverWriteTheDisks() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a server's disks needs root");
    TwoDiskServer srv = TwoDiskServer.build(Files.createDirectories(tmp.resolve("srv")));
    SmcJar smc = new SmcJar(Files.createDirectories(tmp.resolve("runs")), Map.of("SMC_CACHE_DIR",
        tmp.resolve("cache").toString()));
    String repo = tmp.resolve("repo").toString();
    List<Map<String, String>> expected = new ArrayList<>();
    List<Map<String, String>> rootFs = new ArrayList<>();
    List<Map<String, String>> dataFs = new ArrayList<>();
    for (int cycle = 1; cycle <= 3; cycle++) {
      if (cycle > 1) {
        change(srv, cycle);
      }
      expected.add(state(srv));
      rootFs.add(alone(srv.system(), TwoDiskServer.ROOT_START_SECTOR * 512, 40L << 20));
      dataFs.add(alone(srv.data(), 2048 * 512, 31L << 20));
      List<String> before = List.of(sha256(srv.system()), sha256(srv.data()));
      SmcJar.Run r = smc.run("migrate", "--disk", srv.system().toString(), "--disk", srv.data().toString(), "--repo",
          repo, "--image-name", "srv1");
      assertEquals(0, r.code(), r.err() + r.out());
      assertTrue(r.out().startsWith("srv1-CYCLE_" + cycle + ": " + (cycle == 1 ? "full" : "incremental")), r.out());
      assertEquals(before, List.of(sha256(srv.system()), sha256(srv.data())), "cycle " + cycle + " wrote a disk");
    }
    assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().noneMatch(l -> l.contains("smc-server-")),
        "a mount was left behind");
    for (int cycle = 1; cycle <= 3; cycle++) {
      Path target = tmp.resolve("restored-" + cycle);
      SmcJar.Run r = smc.run("restore", "--repo", repo, "--image", "srv1-CYCLE_" + cycle, "--target", target.toString());
      assertEquals(0, r.code(), r.err() + r.out());
      Map<String, String> got = TreeState.of(target);
      got.remove("."); // the target folder itself is the restore's
      Map<String, String> want = new java.util.TreeMap<>(expected.get(cycle - 1));
      want.remove(".");
      assertEquals(want, got, "cycle " + cycle);
    }
    // one file system of a cycle, as its own root: the data disk's, and the root's without the data disk in /data
    for (int cycle : new int[] {2, 3}) {
      for (String part : List.of("1_1", "0_2")) {
        Path target = tmp.resolve("part-" + part + "-" + cycle);
        SmcJar.Run r = smc.run("restore", "--repo", repo, "--image", "srv1-CYCLE_" + cycle, "--partition", part,
            "--target", target.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        Map<String, String> got = TreeState.of(target);
        Map<String, String> want = new java.util.TreeMap<>((part.equals("1_1") ? dataFs : rootFs).get(cycle - 1));
        got.remove(".");
        want.remove(".");
        assertEquals(want, got, "partition " + part + " of cycle " + cycle);
      }
    }
    SmcJar.Run swap = smc.run("restore", "--repo", repo, "--image", "srv1", "--partition", "0_3", "--target",
        tmp.resolve("swap").toString());
    assertEquals(2, swap.code(), swap.err());
    assertTrue(swap.err().contains("--partition '0_3': allowed a partition whose files image srv1-CYCLE_3 holds: 0_2 (/),"
        + " 1_1 (/data)"), swap.err());

    // the image holds the server as it was: both disks, the four partitions, UUIDs, labels, the /data mount
    SmcJar.Run held = smc.run("describe", "--repo", repo, "--image", "srv1-CYCLE_3", "--json");
    assertEquals(0, held.code(), held.err());
    for (String want : List.of("\"hostname\": \"srv3\"", "\"table\": \"GPT\"", "\"table\": \"MBR\"",
        "\"id\": \"0_1\"", "\"id\": \"0_2\"", "\"id\": \"0_3\"", "\"id\": \"1_1\"",
        "\"uuid\": \"" + TwoDiskServer.ROOT_UUID + "\"", "\"uuid\": \"" + TwoDiskServer.DATA_UUID + "\"",
        "\"uuid\": \"" + TwoDiskServer.SWAP_UUID + "\"", "\"label\": \"rootfs\"", "\"label\": \"data\"",
        "\"mountPoint\": \"/data\"")) {
      assertTrue(held.out().contains(want), "no " + want + " in " + held.out());
    }
    SmcJar.Run text = smc.run("describe", "--repo", repo, "--image", "srv1");
    assertTrue(text.out().startsWith("server srv3: LINUX (Debian GNU/Linux 12 (bookworm)), x86_64"), text.out());
  }

  @Test
  void aTaskOnAServersDisksRunsIncrementalCyclesThroughTheSchedulerAndChecksItsLayout() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a server's disks needs root");
    TwoDiskServer srv = TwoDiskServer.build(Files.createDirectories(tmp.resolve("srv")));
    SmcJar smc = new SmcJar(Files.createDirectories(tmp.resolve("runs")), Map.of("SMC_CACHE_DIR",
        tmp.resolve("cache").toString()));
    String home = tmp.resolve("home").toString();
    String repo = tmp.resolve("repo").toString();
    String d0 = srv.system().toString();
    String d1 = srv.data().toString();
    SmcJar.Run small = smc.run("task", "create", "--home", home, "--repo", repo, "--name", "srv1", "--image-name",
        "srv1", "--disk", d0, "--disk", d1, "--incremental", "--interval", "1h", "--system-disk", "19");
    assertEquals(2, small.code(), small.err());
    assertTrue(small.err().contains("--system-disk = '19': allowed 20..500"), small.err());
    SmcJar.Run created = smc.run("task", "create", "--home", home, "--repo", repo, "--name", "srv1", "--image-name",
        "srv1", "--disk", d0, "--disk", d1, "--incremental", "--interval", "1h", "--max-images", "3",
        "--system-disk", "30", "--partition", "0_2=20");
    assertEquals(0, created.code(), created.err() + created.out());
    assertTrue(created.out().contains("cycle 1 succeeded (image srv1-CYCLE_1)"), created.out());
    change(srv, 2);
    Map<String, String> want = state(srv);
    List<String> before = List.of(sha256(srv.system()), sha256(srv.data()));
    SmcJar.Run sync = smc.run("task", "sync", "srv1", "--home", home);
    assertEquals(0, sync.code(), sync.err() + sync.out());
    assertTrue(sync.out().contains("cycle 2 succeeded (image srv1-CYCLE_2)"), sync.out());
    assertEquals(before, List.of(sha256(srv.system()), sha256(srv.data())), "the task's cycle wrote a disk");
    Path target = tmp.resolve("restored");
    SmcJar.Run r = smc.run("restore", "--repo", repo, "--image", "srv1", "--target", target.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    Map<String, String> got = TreeState.of(target);
    got.remove(".");
    want.remove(".");
    assertEquals(want, got);
    SmcJar.Run again = smc.run("task", "create", "--home", home, "--repo", repo, "--name", "other", "--image-name",
        "other", "--disk", d1);
    assertEquals(2, again.code(), again.err());
    assertTrue(again.err().contains("already has the unfinished task 'srv1'"), again.err());
    assertEquals(0, smc.run("task", "delete", "srv1", "--home", home).code());
  }

  /** Changes on both disks: new, changed, removed and renamed files, modes, owners, times, links and xattrs. */
  private static void change(TwoDiskServer srv, int cycle) throws Exception {
    withServer(srv, false, root -> {
      Path etc = root.resolve("etc");
      Files.writeString(etc.resolve("motd"), "cycle " + cycle + "\n");
      Files.writeString(etc.resolve("hostname"), "srv" + cycle + "\n");
      Path data = root.resolve("data");
      byte[] big = new byte[3 << 20];
      new java.util.SplittableRandom(cycle).nextBytes(big);
      Files.write(data.resolve("big-" + cycle + ".bin"), big);
      if (cycle == 2) {
        Files.createDirectories(data.resolve("app/conf"));
        Path conf = Files.writeString(data.resolve("app/conf/app.ini"), "[x]\nv=1\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(conf, "unix:uid", 1234);
        Files.setAttribute(conf, "unix:gid", 5678);
        Files.setLastModifiedTime(conf, FileTime.from(Instant.parse("2024-05-06T07:08:09.123456789Z")));
        Files.createLink(data.resolve("app/conf/app.ini.hard"), conf);
        Files.createSymbolicLink(data.resolve("app/current"), Path.of("conf/app.ini"));
        UserDefinedFileAttributeView x = Files.getFileAttributeView(conf, UserDefinedFileAttributeView.class);
        x.write("smc.test", ByteBuffer.wrap("v2".getBytes(StandardCharsets.UTF_8)));
        Files.delete(data.resolve("hello"));
      } else {
        Files.move(data.resolve("big-2.bin"), data.resolve("app/big-2.moved"));
        Files.writeString(data.resolve("app/conf/app.ini"), "[x]\nv=3\n");
        Files.setPosixFilePermissions(root.resolve("etc/fstab"), PosixFilePermissions.fromString("rw-------"));
      }
    });
  }

  private static Map<String, String> state(TwoDiskServer srv) throws Exception {
    Map<String, String>[] out = new Map[1];
    withServer(srv, true, root -> out[0] = TreeState.of(root));
    return out[0];
  }

  /** One file system on its own, mounted read-only. */
  private static Map<String, String> alone(Path disk, long offset, long size) throws Exception {
    Path at = Files.createTempDirectory("smc-it-fs-");
    run("mount", "-t", "ext4", "-o", "ro,noload,loop,offset=" + offset + ",sizelimit=" + size, disk.toString(),
        at.toString());
    try {
      return TreeState.of(at);
    } finally {
      run("umount", at.toString());
      Files.delete(at);
    }
  }

  interface Body {
    void run(Path root) throws Exception;
  }

  /** Mounts the root at a folder and the data disk at its /data (read-only or not), runs {@code body}, unmounts. */
  private static void withServer(TwoDiskServer srv, boolean readOnly, Body body) throws Exception {
    Path root = Files.createTempDirectory("smc-it-server-");
    String ro = readOnly ? "ro,noload," : "";
    run("mount", "-t", "ext4", "-o", ro + "loop,offset=" + TwoDiskServer.ROOT_START_SECTOR * 512 + ",sizelimit="
        + (40L << 20), srv.system().toString(), root.toString());
    try {
      run("mount", "-t", "ext4", "-o", ro + "loop,offset=" + 2048 * 512, srv.data().toString(),
          root.resolve("data").toString());
      try {
        body.run(root);
      } finally {
        run("umount", root.resolve("data").toString());
      }
    } finally {
      run("umount", root.toString());
      Files.delete(root);
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
  }

  private static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(p));
    return HexFormat.of().formatHex(md.digest());
  }
}
