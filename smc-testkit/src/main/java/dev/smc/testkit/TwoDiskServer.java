package dev.smc.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A small Linux server as two disk image files, built with the real tools ({@code sgdisk}, {@code sfdisk},
 * {@code mke2fs -d}, {@code losetup} and {@code mkswap}; root): a GPT system disk of 64 MiB (1 BIOS boot, 2 ext4
 * root labelled {@code rootfs}, 3 swap labelled {@code swp}) and an MBR data disk of 32 MiB (1 ext4 labelled
 * {@code data}), the root's fstab mounting the root, {@code /data} and the swap by UUID. Immutable.
 *
 * @param system the system disk image
 * @param data the data disk image
 */
public record TwoDiskServer(Path system, Path data) {
  public static final UUID ROOT_UUID = UUID.fromString("a1b2c3d4-e5f6-4a0b-8c1d-2e3f40516273");
  public static final UUID DATA_UUID = UUID.fromString("5b0b7ac2-31b7-4b8e-9b0d-3c4e5f607182");
  public static final UUID SWAP_UUID = UUID.fromString("0f1e2d3c-4b5a-4697-8877-665544332211");
  /** Where the root partition starts, in 512-byte sectors. */
  public static final long ROOT_START_SECTOR = 4096;
  /** Where the swap partition starts, in 512-byte sectors. */
  public static final long SWAP_START_SECTOR = 86016;

  /** Builds the two disks in {@code dir} (d0.img, d1.img); {@code dir/rootfs} and {@code dir/datafs} hold their files. */
  public static TwoDiskServer build(Path dir) throws IOException, InterruptedException {
    Path d0 = dir.resolve("d0.img");
    Path d1 = dir.resolve("d1.img");
    size(d0, 64L << 20);
    size(d1, 32L << 20);
    run("sgdisk", "-n", "1:2048:+1M", "-t", "1:ef02", "-c", "1:bios", "-n", "2:0:+40M", "-t", "2:8300", "-c",
        "2:root", "-n", "3:0:0", "-t", "3:8200", "-c", "3:swap", d0.toString());
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createDirectories(rootfs.resolve("data"));
    Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/sh").toRealPath(), rootfs.resolve("bin/sh"));
    Files.writeString(rootfs.resolve("etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME="
        + "\"Debian GNU/Linux\"\nID=debian\n");
    Files.writeString(rootfs.resolve("etc/hostname"), "srv1\n");
    Files.writeString(rootfs.resolve("etc/fstab"), "# a comment\nUUID=" + ROOT_UUID + " / ext4 errors=remount-ro 0 1\n"
        + "UUID=" + DATA_UUID + " /data ext4 defaults,nofail 0 2\nUUID=" + SWAP_UUID + " none swap sw 0 0\n"
        + "proc /proc proc defaults 0 0\n");
    run("mke2fs", "-q", "-F", "-t", "ext4", "-L", "rootfs", "-U", ROOT_UUID.toString(), "-d", rootfs.toString(), "-E",
        "offset=" + ROOT_START_SECTOR * 512, d0.toString(), Long.toString(40 << 10));
    String loop = run("losetup", "-f", "--show", "-o", Long.toString(SWAP_START_SECTOR * 512), d0.toString()).strip();
    try {
      run("mkswap", "-U", SWAP_UUID.toString(), "-L", "swp", loop);
    } finally {
      run("losetup", "-d", loop);
    }
    run("sh", "-c", "printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q " + d1);
    Path datafs = Files.createDirectories(dir.resolve("datafs"));
    Files.writeString(datafs.resolve("hello"), "hello\n");
    run("mke2fs", "-q", "-F", "-t", "ext4", "-L", "data", "-U", DATA_UUID.toString(), "-d", datafs.toString(), "-E",
        "offset=" + 2048 * 512, d1.toString(), Long.toString(31 << 10));
    return new TwoDiskServer(d0, d1);
  }

  /** Both disks, the system disk first. */
  public List<Path> disks() {
    return List.of(system, data);
  }

  private static void size(Path p, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": no answer in 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
    }
    return out;
  }
}
