package dev.smc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Partition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The target layout's rules against a server: sizes, file-level and block-level partitions, and fit. */
class TargetLayoutTest {
  static final long GIB = 1L << 30;
  static final long MIB = 1L << 20;

  /** GPT system disk of 30 GiB: 1 BIOS boot (1 MiB), 2 ext4 (20 GiB, 5 GiB used), 3 swap (2 GiB); MBR data disk. */
  static final SourceDescription SERVER = new SourceDescription(SourceDescription.OsType.LINUX, "srv", List.of(
      new Disk(0, "vda", 30 * GIB, 7 * GIB, SourceDescription.TableType.GPT, "G", List.of(
          part(1, MIB, MIB, null, 0),
          part(2, 2 * MIB, 20 * GIB, "ext4", 5 * GIB),
          part(3, 2 * MIB + 20 * GIB, 2 * GIB, "swap", 0)), Optional.empty()),
      new Disk(1, "vdb", 100 * GIB, 30 * GIB, SourceDescription.TableType.MBR, "0x1", List.of(
          part(1, MIB, 100 * GIB - MIB, "ext4", 30 * GIB)), Optional.empty())));

  static Partition part(int n, long start, long size, String fs, long used) {
    return new Partition(n, start, size, "T", "", "", "", 0, false, fs == null ? Optional.empty() : Optional.of(
        new FileSystem(fs, "u" + n, "", OptionalLong.of(size), fs.equals("swap") ? OptionalLong.empty()
            : OptionalLong.of(used))));
  }

  static TargetDisks layout(int system, long data, Map<String, Long> parts, List<String> block) {
    return new TargetDisks(system, data == 0 ? List.of() : List.of(new TargetDisks.DataDisk(1, data)),
        parts.entrySet().stream().map(e -> new TargetDisks.PartitionSize(Integer.parseInt(e.getKey().split("_")[0]),
            Integer.parseInt(e.getKey().split("_")[1]), e.getValue())).collect(Collectors.toList()), block);
  }

  static Map<String, String> errors(Runnable r) {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, r::run);
    return e.errors().stream().collect(Collectors.toMap(FieldError::field, f -> f.value() + " | " + f.allowed()));
  }

  @Test
  void aValidLayoutGrowsAFileLevelPartitionAndKeepsTheRest() {
    layout(40, 120, Map.of("0_2", 30L, "1_1", 110L), List.of()).validateAgainst(SERVER);
    layout(30, 0, Map.of(), List.of("0_2")).validateAgainst(SERVER); // nothing resized: as the source
  }

  @Test
  void outOfRangeDisksAreRefusedWithTheirRange() {
    Map<String, String> e = errors(() -> layout(19, 40000, Map.of(), List.of()));
    assertEquals("19 | allowed 20..500", e.get("systemDiskGiB"));
    assertEquals("40000 | allowed 20..32768", e.get("dataDisks[1].sizeGiB"));
  }

  @Test
  void aFileLevelPartitionHoldsWhatItsFileSystemUses() {
    Map<String, String> e = errors(() -> layout(30, 0, Map.of("0_2", 4L), List.of()).validateAgainst(SERVER));
    assertEquals("4 | at least 5 GiB: its file system uses 5 GiB", e.get("partitions[0_2].sizeGiB"));
  }

  @Test
  void aBlockLevelPartitionKeepsItsSize() {
    Map<String, String> e = errors(() -> layout(40, 0, Map.of("0_2", 25L, "0_1", 1L), List.of("0_2"))
        .validateAgainst(SERVER));
    assertTrue(e.get("partitions[0_2].sizeGiB").startsWith("25 | block-level partitions keep their size: 20 GiB"),
        e.toString());
    // no file system smc reads: block-level whatever was asked
    assertTrue(e.get("partitions[0_1].sizeGiB").startsWith("1 | block-level partitions keep their size: 1.0 MiB"),
        e.toString());
  }

  @Test
  void partitionsThatOverflowTheirDiskAreEachNamed() {
    Map<String, String> e = errors(() -> layout(25, 0, Map.of("0_2", 25L), List.of()).validateAgainst(SERVER));
    assertTrue(e.get("partitions[0_2].sizeGiB").startsWith("25 | to end within the 25 GiB of disk 0 (systemDiskGiB)"),
        e.toString());
    assertTrue(e.get("partitions[0_3]").startsWith("0_3 | to end within the 25 GiB of disk 0"), e.toString());
    Map<String, String> grown = errors(() -> layout(30, 0, Map.of("0_2", 29L), List.of("0_3"))
        .validateAgainst(SERVER));
    assertTrue(grown.get("partitions[0_2].sizeGiB").contains("to end before block-level partition 0_3"),
        grown.toString());
  }

  @Test
  void unknownPartitionsAndBadIdsAreRefused() {
    Map<String, String> e = errors(() -> layout(30, 0, Map.of("0_9", 5L), List.of("2_1")).validateAgainst(SERVER));
    assertEquals("0_9 | a partition of the source: 0_1, 0_2, 0_3, 1_1", e.get("partitions[0_9]"));
    assertEquals("2_1 | a partition of the source: 0_1, 0_2, 0_3, 1_1", e.get("blockLevel"));
    Map<String, String> bad = errors(() -> layout(30, 0, Map.of("0_2", 0L), List.of("x")));
    assertEquals("0 | allowed 1..32768", bad.get("partitions[0_2].sizeGiB"));
    assertTrue(bad.get("blockLevel").startsWith("x | DISK_PART"), bad.toString());
  }
}
