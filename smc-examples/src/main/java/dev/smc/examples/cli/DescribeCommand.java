package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.TargetDisks;
import dev.smc.spi.SourceDescription;
import dev.smc.transfer.disk.DiskLayout;
import dev.smc.transfer.disk.DiskReader;
import dev.smc.transfer.disk.FileSystems;
import dev.smc.transfer.disk.FsInfo;
import dev.smc.transfer.disk.Partition;
import dev.smc.transfer.disk.PartitionTable;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.source.DescriptionCodec;
import dev.smc.transfer.source.ServerDescriber;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code smc describe}: a server (the running machine, a server's disks, a folder) or one disk's partition table
 * and file systems, as a table or JSON. Read only.
 */
@Command(name = "describe", description = "Show a server as smc migrates it: its OS, disks, partitions, file"
    + " systems and mounts. --source / is this machine; --disk FILE|DEVICE (repeatable, the first is the system"
    + " disk) are the disks of a stopped or snapshotted server, whose file systems are mounted read-only (as root)"
    + " to read its fstab; --source DIR is a folder; --source FILE|DEVICE alone shows that disk's partition table"
    + " in detail. Read only.")
final class DescribeCommand extends CliCommand {
  @Option(names = "--source", paramLabel = "PATH", description = "/ (this machine), a folder, or one disk image"
      + " file or block device (its partition table in detail).")
  @Nullable String source;

  @Option(names = "--disk", paramLabel = "FILE|DEVICE", description = "A disk of the server (repeatable; the first"
      + " is the system disk).")
  List<String> disks = new ArrayList<>();

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Mixin LayoutOptions layout = new LayoutOptions();

  @Mixin RepoOptions repo;

  @Option(names = "--image", paramLabel = "IMAGE", description = "The server an image of --repo holds (NAME-CYCLE_N,"
      + " or NAME for the newest): as it was described at that cycle.")
  @Nullable String image;

  @Nullable private PrintStream out;

  DescribeCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    out = cli.out();
    if (image != null) {
      if (source != null || !disks.isEmpty()) {
        throw new UsageException("describe: --image and " + (source != null ? "--source" : "--disk")
            + ": give one of them");
      }
      try (Repository r = repo.existing(this)) {
        ImageRef ref = RepoOptions.image(this, r, "--image", image);
        String held = r.image(ref).map(i -> i.properties().get(DescriptionCodec.PROPERTY)).orElse(null);
        if (held == null) {
          throw usage("--image '" + image + "': image " + ref + " holds no server description (it is a folder's or"
              + " one disk's image); allowed an image made with smc migrate --disk");
        }
        return server(DescriptionCodec.decode(held));
      }
    }
    if (!disks.isEmpty()) {
      if (source != null) {
        throw new UsageException("describe: --source '" + source + "' and --disk: give one or the other");
      }
      List<Path> paths = new ArrayList<>();
      for (String d : disks) {
        openDisk("--disk", d).close(); // each disk readable, or a usage error naming it
        paths.add(Path.of(d));
      }
      return server(ServerDescriber.ofDisks(paths));
    }
    String source = required(this.source, "--source", "/ (this machine), a folder, a disk image file or a block"
        + " device; or --disk");
    Path sp = Path.of(source);
    if (Files.isDirectory(sp)) {
      return server(sp.toAbsolutePath().normalize().equals(Path.of("/")) ? ServerDescriber.ofRunningMachine()
          : ServerDescriber.ofFolder(sp));
    }
    try (DiskReader disk = openDisk("--source", source)) {
      DiskLayout l = PartitionTable.read(disk);
      List<Optional<FsInfo>> fs = new ArrayList<>();
      for (Partition p : l.partitions()) {
        fs.add(p.isExtended() ? Optional.empty() : FileSystems.detect(disk, p.startBytes(), p.sizeBytes()));
      }
      Optional<FsInfo> whole = l.tableType() == DiskLayout.TableType.NONE
          ? FileSystems.detect(disk, 0, disk.size()) : Optional.empty();
      if (json) {
        out.println(Json.of(layout(source, l, fs, whole)));
      } else {
        printLayout(source, l, fs, whole);
      }
      return 0;
    }
  }

  private int server(SourceDescription s) {
    if (layout.given()) {
      TargetDisks t = layout.layout("describe", s, false); // exit 2 naming every field that does not fit
      out.println(TargetView.text(s, t));
      return 0;
    }
    if (json) {
      out.println(Json.of(ServerView.json(s)));
    } else {
      ServerView.print(out, s);
    }
    return 0;
  }

  /** Opens a disk; what makes it unusable as a source is a bad argument naming the option. */
  private static DiskReader openDisk(String option, String source) {
    String bad = "describe: " + option + " '" + source + "': ";
    try {
      return DiskReader.open(Path.of(source));
    } catch (NoSuchFileException e) {
      throw new UsageException(bad + "no such file or device");
    } catch (AccessDeniedException e) {
      throw new UsageException(bad + "cannot be read (permission denied)");
    } catch (FileSystemException e) {
      throw new UsageException(bad + (e.getReason() != null ? e.getReason() : "cannot be read"));
    } catch (IOException | InvalidPathException e) {
      throw new UsageException(bad + "cannot be read (" + Cli.describe(e) + ")");
    }
  }

  private static Map<String, Object> layout(String source, DiskLayout l, List<Optional<FsInfo>> fs,
      Optional<FsInfo> whole) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", source);
    m.put("table", l.tableType().name());
    m.put("sizeBytes", l.sizeBytes());
    m.put("sectorSize", l.sectorSize());
    m.put("diskId", l.diskId());
    if (l.gpt() != null) {
      DiskLayout.GptHeaders g = l.gpt();
      Map<String, Object> gm = new LinkedHashMap<>();
      gm.put("primaryHeaderValid", g.primaryValid());
      gm.put("backupHeaderValid", g.backupValid());
      gm.put("backupLba", g.backupLba());
      gm.put("firstUsableLba", g.firstUsableLba());
      gm.put("lastUsableLba", g.lastUsableLba());
      gm.put("protectiveMbr", g.protectiveMbr());
      m.put("gpt", gm);
    }
    List<Object> parts = new ArrayList<>();
    for (int i = 0; i < fs.size(); i++) {
      parts.add(partition(l.partitions().get(i), fs.get(i)));
    }
    m.put("partitions", parts);
    m.put("fileSystem", whole.map(DescribeCommand::fileSystem).orElse(null));
    m.put("warnings", l.warnings());
    return m;
  }

  private static Map<String, Object> partition(Partition p, Optional<FsInfo> fs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("number", p.number());
    m.put("startSector", p.startSector());
    m.put("sectors", p.sectors());
    m.put("startBytes", p.startBytes());
    m.put("sizeBytes", p.sizeBytes());
    m.put("type", p.type());
    m.put("typeName", p.typeName());
    m.put("uuid", p.uuid());
    m.put("name", p.name());
    m.put("bootable", p.bootable());
    m.put("attributes", p.attributes());
    m.put("fileSystem", fs.map(DescribeCommand::fileSystem).orElse(null));
    return m;
  }

  private static Map<String, Object> fileSystem(FsInfo f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", f.type().blkidName());
    m.put("label", f.label());
    m.put("uuid", f.uuid());
    m.put("blockSize", f.blockSize().isPresent() ? f.blockSize().getAsInt() : null);
    m.put("sizeBytes", f.sizeBytes().isPresent() ? f.sizeBytes().getAsLong() : null);
    m.put("usedBytes", f.usedBytes().isPresent() ? f.usedBytes().getAsLong() : null);
    return m;
  }

  private void printLayout(String source, DiskLayout l, List<Optional<FsInfo>> fs, Optional<FsInfo> whole) {
    String table = switch (l.tableType()) {
      case GPT -> "GPT, disk GUID " + l.diskId();
      case MBR -> "MBR, disk id " + l.diskId();
      case NONE -> "no partition table";
    };
    out.printf(Locale.ROOT, "%s: %s (%d bytes), %d-byte sectors, %s%n", source, Fmt.size(l.sizeBytes()), l.sizeBytes(),
        l.sectorSize(), table);
    if (l.gpt() != null) {
      out.printf(Locale.ROOT, "GPT headers: primary %s, backup (LBA %d) %s%n", l.gpt().primaryValid() ? "valid"
          : "DAMAGED", l.gpt().backupLba(), l.gpt().backupValid() ? "valid" : "INVALID");
    }
    if (fs.isEmpty() && whole.isEmpty()) {
      out.println("no partitions, no file system recognised");
    } else {
      String row = "%-3s %12s %12s %10s  %-20s %-12s %-12s %-12s %10s%n";
      out.printf(Locale.ROOT, row, "#", "START", "SECTORS", "SIZE", "TYPE", "NAME", "FS", "LABEL", "USED");
      for (int i = 0; i < fs.size(); i++) {
        Partition p = l.partitions().get(i);
        FsInfo f = fs.get(i).orElse(null);
        out.printf(Locale.ROOT, row, p.number() + (p.bootable() ? "*" : ""), p.startSector(), p.sectors(),
            Fmt.size(p.sizeBytes()), p.typeName().isEmpty() ? p.type() : p.typeName(), dash(p.name()),
            f == null ? "-" : f.type(), f == null ? "-" : dash(f.label()), used(f));
      }
      if (whole.isPresent()) {
        FsInfo f = whole.get();
        out.printf(Locale.ROOT, row, "-", 0, l.sizeBytes() / l.sectorSize(), Fmt.size(l.sizeBytes()), "whole disk", "-",
            f.type(), dash(f.label()), used(f));
      }
    }
    l.warnings().forEach(w -> out.println("warning: " + w));
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  private static String used(@Nullable FsInfo f) {
    return f == null || f.usedBytes().isEmpty() ? "-" : Fmt.size(f.usedBytes().getAsLong());
  }
}
