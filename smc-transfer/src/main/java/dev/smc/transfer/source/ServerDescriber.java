package dev.smc.transfer.source;

import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import dev.smc.transfer.disk.DiskReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Describes a server from what it is given: its disks as image files or block devices that are not this
 * machine's ({@link #ofDisks}), the running machine ({@link #ofRunningMachine}), or a folder
 * ({@link #ofFolder}). Read only: a disk's file systems are mounted read-only (as root) to read the system's
 * {@code /etc/os-release}, {@code /etc/hostname} and {@code /etc/fstab}, and always unmounted.
 */
public final class ServerDescriber {
  private ServerDescriber() {}

  /**
   * The server whose disks are {@code disks} (the first the system disk): each disk's table, partitions and
   * file systems; the OS, host name, architecture and mounts from the first file system that holds a Linux root
   * (its fstab matched to the partitions by UUID, LABEL, PARTUUID or PARTLABEL). Not being root, the mounts
   * are not read and a warning says so.
   */
  public static SourceDescription ofDisks(List<Path> disks) throws IOException {
    return ofDisks(disks, null).description();
  }

  /**
   * A server's description and the Linux root it found there, if any; when it was asked to mount at
   * {@code at}, that root's file system is still mounted there ({@link Root#mounted}), for a cycle to
   * read without mounting it again, and the caller closes it.
   */
  record Described(SourceDescription description, Optional<Root> root) {}

  /** As {@link #ofDisks(List)}; with {@code at}, the file systems are tried there and the root is left mounted. */
  static Described ofDisks(List<Path> disks, @Nullable Path at) throws IOException {
    List<Disk> described = new ArrayList<>();
    for (int i = 0; i < disks.size(); i++) {
      try (DiskReader r = DiskReader.open(disks.get(i))) {
        described.add(DiskDescriber.describe(i, disks.get(i).toString(), r));
      }
    }
    List<String> warnings = new ArrayList<>();
    SourceDescription.OsType os = DiskDescriber.guessOs(described);
    Optional<Root> root = Optional.empty();
    if (!ReadOnlyMount.possible()) {
      warnings.add("not root: the file systems were not mounted, so the OS name and the mounts are not known");
    } else {
      root = findRoot(disks, described, at, warnings);
    }
    try {
      List<Mount> mounts = new ArrayList<>();
      if (root.isPresent()) {
        os = SourceDescription.OsType.LINUX;
        for (SystemFiles.FstabEntry e : root.get().files().fstab()) {
          Optional<int[]> where = find(described, e.spec());
          if (where.isPresent()) {
            String point = e.type().equals("swap") ? "none" : e.file();
            mounts.add(new Mount(point, e.type(), where.get()[0], where.get()[1], e.spec(), e.options()));
          } else if (isDeviceSpec(e.spec()) && !e.type().equals("swap") && !isVirtual(e.type())) {
            warnings.add("fstab mounts " + e.spec() + " at " + e.file() + ", which is on none of the disks given");
          }
        }
        int d = root.get().disk();
        int p = root.get().partition();
        if (mounts.stream().noneMatch(m -> m.mountPoint().equals("/"))) {
          String type = described.get(d).partition(p).flatMap(Partition::fileSystem)
              .or(() -> described.get(d).fileSystem()).map(FileSystem::type).orElse("");
          mounts.add(0, new Mount("/", type, d, p, "(the system's root)", "defaults"));
        }
      } else if (ReadOnlyMount.possible()) {
        warnings.add("no Linux root (etc/os-release or etc/fstab) on any file system of the disks");
      }
      Optional<SystemFiles> sys = root.map(Root::files);
      String host = sys.flatMap(SystemFiles::hostname).orElse(disks.isEmpty() ? "" : disks.get(0).getFileName().toString());
      return new Described(new SourceDescription(os, sys.flatMap(SystemFiles::osName),
          sys.flatMap(SystemFiles::architecture), host, described, mounts, warnings), root);
    } catch (RuntimeException e) {
      if (root.isPresent() && root.get().mounted() != null) {
        root.get().mounted().close();
      }
      throw e;
    }
  }

  /** The Linux root a server's disks hold: its files, where it is, and its mount when one was kept. */
  record Root(SystemFiles files, int disk, int partition, @Nullable ReadOnlyMount mounted) {}

  /** Mounts each file system in turn (at {@code at}, else a folder of its own) until one is a Linux root. */
  private static Optional<Root> findRoot(List<Path> disks, List<Disk> described, @Nullable Path at,
      List<String> warnings) throws IOException {
    for (Disk d : described) {
      for (Partition p : partitionsOrWhole(d)) {
        String type = p.fileSystem().map(FileSystem::type).orElse("");
        if (!ReadOnlyMount.TYPES.contains(type)) {
          continue;
        }
        ReadOnlyMount m;
        try {
          m = ReadOnlyMount.open(disks.get(d.index()), p.startBytes(), p.sizeBytes(), type, at);
        } catch (IOException e) {
          warnings.add("disk " + d.index() + " partition " + p.number() + " (" + type + "): not mounted here: "
              + e.getMessage());
          continue;
        }
        boolean keep = false;
        try {
          if (SystemFiles.isLinuxRoot(m.root())) {
            SystemFiles files = SystemFiles.read(m.root());
            keep = at != null; // the caller's cycle reads it: not mounted a second time
            return Optional.of(new Root(files, d.index(), p.number(), keep ? m : null));
          }
        } catch (IOException e) {
          warnings.add("disk " + d.index() + " partition " + p.number() + " (" + type + "): not read: " + e.getMessage());
        } finally {
          if (!keep) {
            m.close();
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The running machine: see {@link RunningMachine}. */
  public static SourceDescription ofRunningMachine() throws IOException {
    return RunningMachine.describe(Path.of("/"));
  }

  /** A folder: one file system's worth of files, no disks; the OS and host name from its etc when it has one. */
  public static SourceDescription ofFolder(Path folder) throws IOException {
    Path root = folder.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new java.nio.file.NotDirectoryException(root.toString());
    }
    if (SystemFiles.isLinuxRoot(root)) {
      SystemFiles s = SystemFiles.read(root);
      return new SourceDescription(SourceDescription.OsType.LINUX, s.osName(), s.architecture(),
          s.hostname().orElse(String.valueOf(root.getFileName())), List.of(), List.of(), List.of());
    }
    SourceDescription.OsType os = Files.isDirectory(root.resolve("Windows")) ? SourceDescription.OsType.WINDOWS
        : SourceDescription.OsType.OTHER;
    return new SourceDescription(os, Optional.empty(), Optional.empty(), String.valueOf(root.getFileName()), List.of(),
        List.of(), List.of());
  }

  /** A disk's partitions, or for a disk without a table its whole-disk file system as partition 0. */
  static List<Partition> partitionsOrWhole(Disk d) {
    if (d.table() != SourceDescription.TableType.NONE || d.fileSystem().isEmpty()) {
      return d.partitions();
    }
    return List.of(new Partition(0, 0, d.sizeBytes(), "", "", "", "", 0, false, d.fileSystem()));
  }

  /** The disk and partition an fstab or mount-table device names, by UUID, LABEL, PARTUUID or PARTLABEL. */
  static Optional<int[]> find(List<Disk> disks, String spec) {
    String[] kv = keyed(spec);
    if (kv == null) {
      return Optional.empty();
    }
    String key = kv[0];
    String value = kv[1];
    for (Disk d : disks) {
      for (Partition p : partitionsOrWhole(d)) {
        Optional<FileSystem> fs = p.fileSystem();
        boolean hit = switch (key) {
          case "UUID" -> fs.map(f -> f.uuid().equalsIgnoreCase(value)).orElse(false);
          case "LABEL" -> fs.map(f -> f.label().equals(value)).orElse(false);
          case "PARTUUID" -> !p.uuid().isEmpty() && p.uuid().equalsIgnoreCase(value);
          case "PARTLABEL" -> !p.name().isEmpty() && p.name().equals(value);
          default -> false;
        };
        if (hit) {
          return Optional.of(new int[] {d.index(), p.number()});
        }
      }
    }
    return Optional.empty();
  }

  /** {@code UUID=x} or {@code /dev/disk/by-uuid/x} as {@code [UUID, x]}; null for another kind of spec. */
  private static String[] keyed(String spec) {
    int eq = spec.indexOf('=');
    if (eq > 0) {
      String key = spec.substring(0, eq).toUpperCase(Locale.ROOT);
      String v = spec.substring(eq + 1);
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      return new String[] {key, v};
    }
    for (String[] by : new String[][] {{"/dev/disk/by-uuid/", "UUID"}, {"/dev/disk/by-label/", "LABEL"},
        {"/dev/disk/by-partuuid/", "PARTUUID"}, {"/dev/disk/by-partlabel/", "PARTLABEL"}}) {
      if (spec.startsWith(by[0])) {
        return new String[] {by[1], SystemFiles.octal(spec.substring(by[0].length()).replace("\\x20", " "))};
      }
    }
    return null;
  }

  private static boolean isDeviceSpec(String spec) {
    return spec.contains("=") || spec.startsWith("/dev/");
  }

  private static boolean isVirtual(String type) {
    return List.of("proc", "sysfs", "tmpfs", "devpts", "devtmpfs", "nfs", "nfs4", "cifs", "none", "bind", "overlay")
        .contains(type);
  }
}
