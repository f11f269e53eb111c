package dev.smc.transfer.source;

import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import dev.smc.transfer.disk.DiskReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The machine smc runs on, as a server: its disks from {@code /sys/block} (loop, ram and zram devices are not
 * disks) with their tables and file systems read from the devices, and its mounts from
 * {@code /proc/self/mountinfo}. Virtual and network file systems (the {@code nodev} ones of
 * {@code /proc/filesystems}: proc, sysfs, tmpfs, cgroup, nfs, overlay, …) are not disks and are left out, as is
 * anything mounted from a device that is not one of the disks (a loop-mounted image). Swap areas in use come
 * from {@code /proc/swaps}.
 */
final class RunningMachine {
  private RunningMachine() {}

  static SourceDescription describe(Path root) throws IOException {
    List<String> warnings = new ArrayList<>();
    List<String> names = diskNames(Path.of("/sys/block"));
    List<Disk> disks = new ArrayList<>();
    for (String name : names) {
      disks.add(disk(disks.size(), name, warnings));
    }
    Set<String> nodev = nodevTypes();
    List<Mount> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash < 0 || dash + 2 >= f.length) {
        continue;
      }
      String type = f[dash + 1];
      String source = SystemFiles.octal(f[dash + 2]);
      String point = SystemFiles.octal(f[4]);
      if (nodev.contains(type) || !"/".equals(f[3]) && !type.equals("btrfs")) {
        continue; // virtual, or a bind mount of a folder (its file system is listed where it is mounted whole)
      }
      Optional<int[]> at = device(disks, source);
      if (at.isEmpty()) {
        warnings.add(point + " (" + type + " on " + source + ") is not on one of the disks: left out");
        continue;
      }
      if (mounts.stream().noneMatch(m -> m.mountPoint().equals(point))) {
        mounts.add(new Mount(point, type, at.get()[0], at.get()[1], source, f[5]));
      }
    }
    Path swaps = Path.of("/proc/swaps");
    if (Files.isReadable(swaps)) {
      for (String line : Files.readAllLines(swaps, StandardCharsets.UTF_8)) {
        String[] f = line.strip().split("\\s+");
        if (f.length >= 2 && f[1].equals("partition")) {
          device(disks, f[0]).ifPresent(at -> mounts.add(new Mount("none", "swap", at[0], at[1], f[0], "sw")));
        }
      }
    }
    disks = fillFromMounts(disks, mounts);
    Path etc = root.resolve("etc");
    SystemFiles sys = Files.isDirectory(etc) ? SystemFiles.read(root)
        : new SystemFiles(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    String host = readFirstLine(Path.of("/proc/sys/kernel/hostname")).or(sys::hostname).orElse("");
    String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
    return new SourceDescription(SourceDescription.OsType.LINUX, sys.osName(), Optional.of(arch), host, disks, mounts,
        warnings);
  }

  /**
   * A disk whose device could not be read (a container, no permission) knows its mounted file systems from the
   * kernel all the same: type from the mount table, size and use from the mount point, UUID and label from
   * {@code /dev/disk/by-uuid} and {@code by-label}.
   */
  private static List<Disk> fillFromMounts(List<Disk> disks, List<Mount> mounts) {
    List<Disk> out = new ArrayList<>();
    for (Disk d : disks) {
      Disk x = d;
      for (Mount m : mounts) {
        if (m.disk() != d.index() || m.fsType().equals("swap")) {
          continue;
        }
        boolean whole = m.partition() == 0;
        if (whole ? x.fileSystem().isPresent() : x.partition(m.partition()).map(p -> p.fileSystem().isPresent())
            .orElse(true)) {
          continue;
        }
        Optional<FileSystem> fs = mounted(m);
        if (fs.isEmpty()) {
          continue;
        }
        if (whole) {
          long used = fs.get().usedBytes().orElse(x.sizeBytes());
          x = new Disk(x.index(), x.name(), x.sizeBytes(), used, x.table(), x.diskId(), x.partitions(), fs);
        } else {
          List<Partition> parts = new ArrayList<>();
          long used = 0;
          for (Partition p : x.partitions()) {
            Partition q = p.number() != m.partition() ? p : new Partition(p.number(), p.startBytes(), p.sizeBytes(),
                p.type(), p.typeName(), p.name(), p.uuid(), p.attributes(), p.bootable(), fs);
            used += q.usedBytes().orElse(q.sizeBytes());
            parts.add(q);
          }
          x = new Disk(x.index(), x.name(), x.sizeBytes(), used, x.table(), x.diskId(), parts, x.fileSystem());
        }
      }
      out.add(x);
    }
    return out;
  }

  private static Optional<FileSystem> mounted(Mount m) {
    try {
      java.nio.file.FileStore st = Files.getFileStore(Path.of(m.mountPoint()));
      long total = st.getTotalSpace();
      long used = total - st.getUnallocatedSpace();
      return Optional.of(new FileSystem(m.fsType(), byLink("/dev/disk/by-uuid", m.spec()),
          byLink("/dev/disk/by-label", m.spec()), OptionalLong.of(total), OptionalLong.of(used)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The name of the link in {@code dir} that points at {@code device}, or empty. */
  private static String byLink(String dir, String device) {
    Path d = Path.of(dir);
    if (!Files.isDirectory(d)) {
      return "";
    }
    try (Stream<Path> s = Files.list(d)) {
      Path dev = Path.of(device).toRealPath();
      for (Path link : s.toList()) {
        if (link.toRealPath().equals(dev)) {
          return SystemFiles.octal(link.getFileName().toString().replace("\\x20", " "));
        }
      }
    } catch (IOException e) {
      return "";
    }
    return "";
  }

  /** The disks of {@code /sys/block}, by name; loop, ram, zram and empty devices are not disks. */
  static List<String> diskNames(Path sysBlock) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(sysBlock)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("loop") || n.startsWith("ram") || n.startsWith("zram") || n.startsWith("nbd")) {
          continue;
        }
        if (sectors(p.resolve("size")) > 0) {
          out.add(n);
        }
      }
    }
    return out;
  }

  private static Disk disk(int index, String name, List<String> warnings) throws IOException {
    Path dev = Path.of("/dev", name);
    if (Files.isReadable(dev)) {
      try (DiskReader r = DiskReader.open(dev)) {
        return DiskDescriber.describe(index, name, r);
      } catch (IOException e) {
        warnings.add("disk " + name + ": " + e.getMessage() + "; described from /sys/block only");
      }
    } else {
      warnings.add("disk " + name + ": " + dev + " is not readable here (not root?); described from /sys/block only");
    }
    Path sys = Path.of("/sys/block", name);
    List<Partition> parts = new ArrayList<>();
    try (Stream<Path> s = Files.list(sys)) {
      for (Path p : s.sorted().toList()) {
        Path number = p.resolve("partition");
        if (Files.isRegularFile(number)) {
          parts.add(new Partition(Integer.parseInt(Files.readString(number).strip()), sectors(p.resolve("start")) * 512,
              sectors(p.resolve("size")) * 512, "", "", "", "", 0, false, Optional.empty()));
        }
      }
    }
    long size = sectors(sys.resolve("size")) * 512;
    return new Disk(index, name, size, size, parts.isEmpty() ? SourceDescription.TableType.NONE
        : SourceDescription.TableType.MBR, "", parts, Optional.empty());
  }

  /** The disk and partition (0: the whole disk) of a device path such as {@code /dev/vda2}. */
  private static Optional<int[]> device(List<Disk> disks, String source) {
    if (!source.startsWith("/dev/")) {
      return Optional.empty();
    }
    String n;
    try {
      n = Path.of(source).toRealPath().getFileName().toString();
    } catch (IOException e) {
      n = Path.of(source).getFileName().toString();
    }
    for (Disk d : disks) {
      if (d.name().equals(n)) {
        return Optional.of(new int[] {d.index(), 0});
      }
      Path part = Path.of("/sys/block", d.name(), n, "partition");
      if (Files.isRegularFile(part)) {
        try {
          return Optional.of(new int[] {d.index(), Integer.parseInt(Files.readString(part).strip())});
        } catch (IOException | NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** The file system types the kernel marks {@code nodev}: not on a disk. */
  static Set<String> nodevTypes() throws IOException {
    Set<String> out = new HashSet<>(List.of("proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2",
        "nfs", "nfs4", "cifs", "smb3", "overlay", "fuse", "autofs", "mqueue", "debugfs", "tracefs", "securityfs",
        "pstore", "bpf", "hugetlbfs", "configfs", "fusectl", "binfmt_misc", "ramfs"));
    Path p = Path.of("/proc/filesystems");
    if (Files.isReadable(p)) {
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        if (line.startsWith("nodev")) {
          out.add(line.substring(5).strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static long sectors(Path file) throws IOException {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<String> readFirstLine(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
