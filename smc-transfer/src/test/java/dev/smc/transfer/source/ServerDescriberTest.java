package dev.smc.transfer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import dev.smc.testkit.TwoDiskServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server of two disk image files, built with the real tools (sgdisk, sfdisk, mke2fs, mkswap): a GPT system
 * disk (BIOS boot, ext4 root, swap) and an MBR data disk (ext4, mounted at /data by the root's fstab).
 */
class ServerDescriberTest {
  @TempDir
  Path tmp;

  static final UUID DATA = TwoDiskServer.DATA_UUID;
  static final UUID SWAP = TwoDiskServer.SWAP_UUID;
  static final UUID ROOT = TwoDiskServer.ROOT_UUID;

  @Test
  void describesBothDisksTheirFileSystemsAndTheMountsOfTheRootsFstab() throws Exception {
    assumeTrue(ReadOnlyMount.possible(), "mounting needs root");
    List<Path> disks = TwoDiskServer.build(tmp).disks();
    List<String> before = List.of(sha256(disks.get(0)), sha256(disks.get(1)));

    SourceDescription s = ServerDescriber.ofDisks(disks);

    assertEquals(before, List.of(sha256(disks.get(0)), sha256(disks.get(1))), "the disks were written to");
    assertEquals(SourceDescription.OsType.LINUX, s.osType());
    assertEquals("Debian GNU/Linux 12 (bookworm)", s.osName().orElseThrow());
    assertEquals("srv1", s.hostname());
    assertEquals("x86_64", s.architecture().orElseThrow());
    assertEquals(2, s.disks().size());
    Disk sys = s.disks().get(0);
    assertEquals(SourceDescription.TableType.GPT, sys.table());
    assertEquals(3, sys.partitions().size());
    Partition bios = sys.partition(1).orElseThrow();
    assertEquals("BIOS boot", bios.typeName());
    assertEquals("bios", bios.name());
    assertTrue(bios.fileSystem().isEmpty());
    Partition root = sys.partition(2).orElseThrow();
    assertEquals("ext4", root.fileSystem().orElseThrow().type());
    assertEquals(ROOT.toString(), root.fileSystem().orElseThrow().uuid());
    assertEquals("rootfs", root.fileSystem().orElseThrow().label());
    assertEquals(4096L * 512, root.startBytes());
    Partition swap = sys.partition(3).orElseThrow();
    assertTrue(swap.fileSystem().orElseThrow().isSwap());
    assertEquals(SWAP.toString(), swap.fileSystem().orElseThrow().uuid());
    assertEquals("swp", swap.fileSystem().orElseThrow().label());
    Disk data = s.disks().get(1);
    assertEquals(SourceDescription.TableType.MBR, data.table());
    assertEquals(1, data.partitions().size());
    Partition dp = data.partition(1).orElseThrow();
    assertEquals("83", dp.type());
    assertEquals(DATA.toString(), dp.fileSystem().orElseThrow().uuid());
    assertEquals("data", dp.fileSystem().orElseThrow().label());
    assertTrue(dp.uuid().endsWith("-01"), dp.uuid());

    assertEquals(List.of(new Mount("/", "ext4", 0, 2, "UUID=" + ROOT, "errors=remount-ro"),
        new Mount("/data", "ext4", 1, 1, "UUID=" + DATA, "defaults,nofail"),
        new Mount("none", "swap", 0, 3, "UUID=" + SWAP, "sw")), s.mounts());
    assertEquals(List.of(), s.warnings());
    assertFalse(mounted(tmp), "a mount was left behind");
    assertEquals(s, DescriptionCodec.decode(DescriptionCodec.encode(s)), "what an image holds reads back the same");
  }

  @Test
  void mountsLeftByAKilledCycleAreUndoneByTheNextAndASnapshotUndoesItsOwn() throws Exception {
    assumeTrue(ReadOnlyMount.possible(), "mounting needs root");
    TwoDiskServer srv = TwoDiskServer.build(tmp);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir")).toRealPath()
        .resolve(StaleMounts.PREFIX + gone.pid() + "-test"));
    ReadOnlyMount.open(srv.data(), 2048 * 512, 31L << 20, "ext4", stale); // never closed: as a kill -9 leaves it
    assertTrue(mounted(stale), "the stale mount is not there to begin with");
    ServerDisksSource source = new ServerDisksSource(srv.disks());
    Path root;
    int before = ReadOnlyMount.MOUNTED.get();
    try (ServerDisksSource.Snapshot snap = source.open()) {
      assertEquals(2, ReadOnlyMount.MOUNTED.get() - before, "root and data, each once: the root the description"
          + " found is the snapshot's, not mounted a second time");
      assertFalse(mounted(stale), "the killed cycle's mount is still there");
      assertFalse(Files.exists(stale), "the killed cycle's folder is still there");
      root = Path.of(new String(snap.root(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("hello\n", Files.readString(root.resolve("data/hello")));
      assertEquals("srv1\n", Files.readString(root.resolve("etc/hostname")));
      assertTrue(mounted(root));
    }
    assertFalse(mounted(root), "the snapshot's mounts are still there");
    assertFalse(Files.exists(root));
  }

  @Test
  void aFileSystemTheFstabDoesNotMountIsNamedAsNotCopied() throws Exception {
    assumeTrue(ReadOnlyMount.possible(), "mounting needs root");
    TwoDiskServer srv = TwoDiskServer.build(tmp);
    Path extra = tmp.resolve("d2.img");
    Process p = new ProcessBuilder("mke2fs", "-q", "-F", "-t", "ext4", extra.toString(), "8M").redirectErrorStream(true)
        .start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    try (ServerDisksSource.Snapshot snap = new ServerDisksSource(List.of(srv.system(), srv.data(), extra)).open()) {
      assertEquals(List.of("partition 2_0 (ext4) is mounted nowhere by the server's fstab: its files are not copied"),
          snap.description().warnings());
    }
  }

  @Test
  void aDataDiskLeftOutIsDescribedButNotMountedNorRead() throws Exception {
    assumeTrue(ReadOnlyMount.possible(), "mounting needs root");
    TwoDiskServer srv = TwoDiskServer.build(tmp);
    ServerDisksSource source = new ServerDisksSource(srv.disks(), java.util.Set.of());
    assertTrue(source.id().endsWith("|data="), source.id());
    try (ServerDisksSource.Snapshot snap = source.open()) {
      Path root = Path.of(new String(snap.root(), java.nio.charset.StandardCharsets.UTF_8));
      assertTrue(Files.isDirectory(root.resolve("data")));
      try (var s = Files.list(root.resolve("data"))) {
        assertEquals(List.of(), s.toList(), "the data disk was mounted although left out");
      }
      assertEquals(2, snap.description().disks().size());
      assertEquals(List.of(), snap.description().warnings());
    }
    assertEquals(java.util.Optional.of(java.util.Set.of(1)), SourceLocator.dataDisks(SourceLocator.ofDisks(
        srv.disks(), java.util.Set.of(1))));
    assertEquals(srv.disks(), SourceLocator.disks(SourceLocator.ofDisks(srv.disks(), java.util.Set.of(1))).orElseThrow());
  }

  @Test
  void theRunningMachineListsItsDisksAndLeavesOutVirtualFileSystems() throws Exception {
    SourceDescription s = ServerDescriber.ofRunningMachine();
    assertFalse(s.disks().isEmpty(), "no disks: " + s);
    Mount root = s.mounts().stream().filter(m -> m.mountPoint().equals("/")).findFirst().orElseThrow(
        () -> new AssertionError("no / among " + s.mounts()));
    Disk rootDisk = s.disks().get(root.disk());
    assertTrue(Files.exists(Path.of("/sys/block", rootDisk.name())), rootDisk.name());
    for (Mount m : s.mounts()) {
      assertFalse(List.of("proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay", "mqueue")
          .contains(m.fsType()), "a virtual file system is listed: " + m);
      assertFalse(m.mountPoint().startsWith("/proc") || m.mountPoint().startsWith("/sys"), m.toString());
    }
    for (Disk d : s.disks()) {
      assertFalse(d.name().startsWith("loop") || d.name().startsWith("zram") || d.name().startsWith("ram"), d.name());
      assertTrue(d.sizeBytes() > 0, d.toString());
    }
  }

  @Test
  void aFolderHasNoDisksButItsOs() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/os-release"), "NAME='Alpine Linux'\nID=alpine\n");
    SourceDescription s = ServerDescriber.ofFolder(tmp);
    assertEquals(SourceDescription.OsType.LINUX, s.osType());
    assertEquals("Alpine Linux", s.osName().orElseThrow());
    assertEquals(List.of(), s.disks());
  }

  @Test
  void theCodecKeepsSeparatorsAndNewlinesInValues() {
    SourceDescription s = new SourceDescription(SourceDescription.OsType.OTHER, java.util.Optional.of("a|b%7C\nc"),
        java.util.Optional.empty(), "h|%", List.of(), List.of(new Mount("/mnt/x|y", "ext4", 0, 0, "LABEL=%25", "")),
        List.of("line\nbreak"));
    assertEquals(s, DescriptionCodec.decode(DescriptionCodec.encode(s)));
  }

  @Test
  void fstabEscapesAndOsReleaseQuotes() {
    assertEquals(List.of(new SystemFiles.FstabEntry("LABEL=my disk", "/mnt/my disk", "ext4", "defaults")),
        SystemFiles.fstab(List.of("  LABEL=my\\040disk\t/mnt/my\\040disk  ext4", "#x", "", "bad")));
    assertEquals("Debian \"x\"", SystemFiles.osName(List.of("PRETTY_NAME=\"Debian \\\"x\\\"\"")).orElseThrow());
  }

  /** Whether anything is mounted at or below {@code under}; {@code tmp}: any private mount of smc's. */
  private boolean mounted(Path under) throws IOException {
    String at = under.equals(tmp) ? "smc-mount-" : under.toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(at));
  }

  static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(p));
    return HexFormat.of().formatHex(md.digest());
  }
}
