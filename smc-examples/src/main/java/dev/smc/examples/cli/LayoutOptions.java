package dev.smc.examples.cli;

import dev.smc.TargetDisks;
import dev.smc.spi.SourceDescription;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * The target layout options ({@code --system-disk}, {@code --data-disk}, {@code --partition}, {@code --block}),
 * shared by {@code task create}, {@code task modify} and {@code describe}; see {@link TargetDisks}. Not
 * thread-safe; one per command.
 */
final class LayoutOptions {
  private static final Pattern DATA = Pattern.compile("(\\d{1,2})=(\\d{1,6})");
  private static final Pattern PART = Pattern.compile("(\\d{1,2})_(\\d{1,3})=(\\d{1,6})");
  private static final Pattern ID = Pattern.compile("\\d{1,2}_\\d{1,3}");

  @Option(names = "--system-disk", paramLabel = "GIB", description = "The target's system disk, 20-500 GiB (default:"
      + " the source's system disk).")
  @Nullable Integer systemDisk;

  @Option(names = "--data-disk", paramLabel = "N=GIB", description = "Data disk N (1-16) of the target, 20-32768 GiB"
      + " (repeatable; default: as the source's).")
  List<String> dataDisks = new ArrayList<>();

  @Option(names = "--partition", paramLabel = "DISK_PART=GIB", description = "A partition's target size (repeatable):"
      + " 0_2=30 is partition 2 of the system disk. File-level partitions may change size, holding what they use;"
      + " block-level ones keep theirs.")
  List<String> partitions = new ArrayList<>();

  @Option(names = "--block", paramLabel = "DISK_PART", description = "Copy this partition block by block, keeping"
      + " its layout and size (repeatable; 0_2 = partition 2 of the system disk).")
  List<String> block = new ArrayList<>();

  /** Whether any layout option was given. */
  boolean given() {
    return systemDisk != null || !dataDisks.isEmpty() || !partitions.isEmpty() || !block.isEmpty();
  }

  /**
   * The layout these options give over the source's defaults, checked against {@code source} (every bad field
   * in one {@link dev.smc.InvalidSpecException}); {@code allBlock}: every partition is copied block by block (a
   * disk source).
   */
  TargetDisks layout(String command, SourceDescription source, boolean allBlock) {
    int system = systemDisk != null ? systemDisk : TargetDisks.defaultFor(source).systemDiskGiB();
    List<TargetDisks.DataDisk> data = new ArrayList<>();
    for (String d : dataDisks) {
      Matcher m = DATA.matcher(d);
      if (!m.matches()) {
        throw new UsageException(command + ": --data-disk '" + d + "': N=GIB, a data disk 1-16 and its size in GiB"
            + " (--data-disk 1=100)");
      }
      data.add(new TargetDisks.DataDisk(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))));
    }
    List<TargetDisks.PartitionSize> parts = new ArrayList<>();
    for (String p : partitions) {
      Matcher m = PART.matcher(p);
      if (!m.matches()) {
        throw new UsageException(command + ": --partition '" + p + "': DISK_PART=GIB, such as 0_2=30 (partition 2 of"
            + " the system disk, 30 GiB)");
      }
      parts.add(new TargetDisks.PartitionSize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Long.parseLong(m.group(3))));
    }
    Set<String> blocks = new LinkedHashSet<>();
    for (String b : block) {
      if (!ID.matcher(b).matches()) {
        throw new UsageException(command + ": --block '" + b + "': DISK_PART, such as 0_2 (partition 2 of the system"
            + " disk)");
      }
      blocks.add(b);
    }
    if (allBlock) {
      for (SourceDescription.Disk d : source.disks()) {
        d.partitions().forEach(p -> blocks.add(SourceDescription.partitionId(d.index(), p.number())));
      }
    }
    TargetDisks t = new TargetDisks(system, data, parts, List.copyOf(blocks));
    t.validateAgainst(source);
    return t;
  }

  /** The option that sets a layout field ({@code --partition 0_2} for {@code partitions[0_2].sizeGiB}), if one does. */
  static Optional<String> option(String field) {
    if (field.equals("systemDiskGiB")) {
      return Optional.of("--system-disk");
    }
    if (field.equals("blockLevel")) {
      return Optional.of("--block");
    }
    Matcher d = Pattern.compile("dataDisks\\[(\\d+)\\]\\.(sizeGiB|index)").matcher(field);
    if (d.matches()) {
      return Optional.of("--data-disk " + d.group(1));
    }
    Matcher p = Pattern.compile("partitions\\[(\\d+_\\d+)\\](\\.sizeGiB)?").matcher(field);
    if (p.matches()) {
      return Optional.of("--partition " + p.group(1));
    }
    return Optional.empty();
  }
}
