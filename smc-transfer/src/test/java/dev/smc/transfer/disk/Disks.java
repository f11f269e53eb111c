package dev.smc.transfer.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Real disks made by the real tools (sgdisk, sfdisk, mke2fs, mkswap), and what sfdisk -J says of them. */
final class Disks {
  static final long MIB = 1 << 20;
  static final String ROOT_UUID = "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f405162";
  static final String SWAP_UUID = "11111111-2222-3333-4444-555555555555";
  static final String PV_UUID = "Ab3dEf-gH1j-kLmN-0pQr-sTuV-wXyZ-12345a";

  private Disks() {}

  /** Runs a tool (found in /usr/sbin and /sbin too); returns its standard output, fails with its errors. */
  static String run(String... cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    Map<String, String> env = pb.environment();
    env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
    env.put("LC_ALL", "C");
    pb.redirectError(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] err;
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out
          + new String(err, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** An empty (sparse) file of {@code bytes}. */
  static Path blank(Path file, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.truncate(bytes);
      ch.write(ByteBuffer.allocate(1), bytes - 1);
    }
    return file;
  }

  static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, offset + b.position());
      }
    }
  }

  static byte[] readAt(Path file, long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) {
        // read on
      }
      return b.array();
    }
  }

  /**
   * A 64 MiB GPT disk made by sgdisk: 1 "root" (24 MiB, Linux filesystem, ext4 labelled rootfs, attribute bit 2),
   * 2 "swap" (8 MiB, Linux swap, mkswap'd with label sw0), 3 "lvm pv" (the rest, Linux LVM, an LVM2 label).
   */
  static Path gptDisk(Path dir) throws IOException {
    Path disk = dir.resolve("gpt.img");
    run("cp", "--sparse=always", gptTemplate().toString(), disk.toString());
    return disk;
  }

  private static Path gptTemplate;

  /** sgdisk sleeps a second after each write, so the GPT disk is made once per run and copied. */
  private static synchronized Path gptTemplate() throws IOException {
    if (gptTemplate == null) {
      Path dir = Files.createTempDirectory("smc-gpt-");
      dir.toFile().deleteOnExit();
      Path disk = makeGptDisk(dir);
      disk.toFile().deleteOnExit();
      gptTemplate = disk;
    }
    return gptTemplate;
  }

  private static Path makeGptDisk(Path dir) throws IOException {
    Path disk = blank(dir.resolve("gpt.img"), 64 * MIB);
    run("sgdisk", "-U", "8C1E62B4-2F2E-4C3B-9E05-6A6B3C2D1E0F", "-n", "1:2048:+24M", "-t", "1:8300", "-c", "1:root",
        "-A", "1:set:2", "-n", "2:0:+8M", "-t", "2:8200", "-c", "2:swap", "-n", "3:0:0", "-t", "3:8e00",
        "-c", "3:lvm pv", disk.toString());
    run("mke2fs", "-q", "-F", "-t", "ext4", "-L", "rootfs", "-U", ROOT_UUID, "-E", "offset=" + 2048 * 512,
        disk.toString(), "24M");
    Path swap = dir.resolve("swap.part");
    blank(swap, 8 * MIB);
    run("mkswap", "-L", "sw0", "-U", SWAP_UUID, swap.toString());
    writeAt(disk, 51200L * 512, Files.readAllBytes(swap));
    Files.delete(swap);
    writeAt(disk, 67584L * 512 + 512, lvmLabel(1, PV_UUID.replace("-", ""), 63455L * 512));
    return disk;
  }

  /**
   * A 64 MiB MBR disk made by sfdisk, id 0x1234abcd: 1 (16 MiB, 83, bootable, ext2), 2 (8 MiB, 82), 3 extended
   * (30 MiB) holding 5 (10 MiB, 83) and 6 (8 MiB, 8e).
   */
  static Path mbrDisk(Path dir) throws IOException, InterruptedException {
    Path disk = blank(dir.resolve("mbr.img"), 64 * MIB);
    String script = "label: dos\nlabel-id: 0x1234abcd\n"
        + "start=2048, size=16M, type=83, bootable\n"
        + "start=34816, size=8M, type=82\n"
        + "start=51200, size=30M, type=5\n"
        + "start=53248, size=10M, type=83\n"
        + "start=75776, size=8M, type=8e\n";
    Process p = new ProcessBuilder("/usr/sbin/sfdisk", "-q", disk.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("sfdisk: " + out);
    }
    run("mke2fs", "-q", "-F", "-t", "ext2", "-L", "boot", "-E", "offset=" + 2048 * 512, disk.toString(), "16M");
    return disk;
  }

  /** An LVM2 physical volume label, as pvcreate writes it into sector {@code sector} of the partition. */
  static byte[] lvmLabel(int sector, String uuid32, long deviceSize) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, "LABELONE".getBytes(StandardCharsets.US_ASCII));
    b.putLong(8, sector);
    b.putInt(16, 0x12345678); // the label's CRC, which nothing here checks
    b.putInt(20, 32);
    b.put(24, "LVM2 001".getBytes(StandardCharsets.US_ASCII));
    b.put(32, uuid32.getBytes(StandardCharsets.US_ASCII));
    b.putLong(64, deviceSize);
    return b.array();
  }

  /** One partition as {@code sfdisk -J} lists it. */
  record SfPartition(int number, long start, long size, String type, String uuid, String name, String attrs,
      boolean bootable) {}

  /** A partition table as {@code sfdisk -J} prints it. */
  record SfTable(String label, String id, int sectorSize, List<SfPartition> partitions) {}

  private static final Pattern PART = Pattern.compile("\\{([^{}]*)}");

  /** {@code sfdisk -J} of {@code disk}, parsed by a few regular expressions (no JSON library here). */
  static SfTable sfdisk(Path disk) throws IOException {
    String json = run("sfdisk", "-J", disk.toString());
    int parts = json.indexOf("\"partitions\"");
    String head = json.substring(0, parts);
    List<SfPartition> list = new ArrayList<>();
    Matcher m = PART.matcher(json.substring(parts));
    while (m.find()) {
      String o = m.group(1);
      String node = string(o, "node");
      list.add(new SfPartition(Integer.parseInt(node.replaceAll("^.*?(\\d+)$", "$1")), number(o, "start"),
          number(o, "size"), string(o, "type"), string(o, "uuid"), string(o, "name"), string(o, "attrs"),
          o.contains("\"bootable\": true")));
    }
    return new SfTable(string(head, "label"), string(head, "id"), (int) number(head, "sectorsize"), list);
  }

  private static String string(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    return m.find() ? m.group(1) : "";
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":\\s*(\\d+)").matcher(json);
    if (!m.find()) {
      throw new AssertionError("no \"" + key + "\" in " + json);
    }
    return Long.parseLong(m.group(1));
  }
}
