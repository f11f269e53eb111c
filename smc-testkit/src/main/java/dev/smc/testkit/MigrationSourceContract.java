package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.spi.ImageKind;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceDescription.Disk;
import dev.smc.spi.SourceDescription.FileSystem;
import dev.smc.spi.SourceDescription.Mount;
import dev.smc.spi.SourceDescription.Partition;
import dev.smc.spi.SourceSnapshot;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link MigrationSource}: every implementation, smc's and a vendor's, extends this
 * class, implements {@link #newSource()} and says in {@link #expected()} what the source is; the
 * inherited tests then prove that {@code id()} is stable and not blank, that {@code describe()} is
 * repeatable, thread-safe and consistent (disks indexed 0..n-1, partitions inside their disk, used
 * sizes within sizes, mounts on disks and partitions that exist), and that {@code open()} gives a
 * snapshot whose root is a folder for a file-level source and whose {@code close()} may be called
 * twice. The source must not change while a test runs.
 *
 * <pre>
 * class VmwareSourceTest extends MigrationSourceContract {
 *   protected MigrationSource newSource() { return VmwareSource.of(testVm()); }
 *   protected Expected expected() { return new Expected(ImageKind.BLOCKS, 2, OsType.LINUX); }
 * }
 * </pre>
 *
 * <p>A subclass builds what the source reads (a folder, a disk image) in its own {@code @BeforeEach}
 * or {@code @BeforeAll}; the contract asks for a source only inside a test.
 */
public abstract class MigrationSourceContract {

  /**
   * What the source under test is.
   *
   * @param kind {@link ImageKind#FILES} for a file-level source (its snapshot's root is a folder on
   *     this machine), {@link ImageKind#BLOCKS} for one read as raw disks
   * @param disks how many disks {@code describe()} reports (0 for a folder)
   * @param osType the OS {@code describe()} reports
   */
  public record Expected(ImageKind kind, int disks, SourceDescription.OsType osType) {}

  /** A new instance over the same server each call. */
  protected abstract MigrationSource newSource() throws IOException;

  /** What the source is. */
  protected abstract Expected expected();

  // ------------------------------------------------------------------ id

  @Test
  void idIsNotBlankAndStableAcrossCallsInstancesAndUse() throws IOException {
    MigrationSource s = newSource();
    String id = s.id();
    assertNotNull(id, "id()");
    assertFalse(id.isBlank(), "id() is blank");
    assertEquals(id, s.id(), "id() called twice");
    assertEquals(id, newSource().id(), "id() of a second instance over the same server");
    s.describe();
    SourceSnapshot snap = s.open();
    assertEquals(id, s.id(), "id() while a snapshot is open");
    snap.close();
    assertEquals(id, s.id(), "id() after describe() and a snapshot");
  }

  // ------------------------------------------------------------------ describe

  @Test
  void describeIsRepeatableAndEqualAcrossCallsAndInstances() throws IOException {
    MigrationSource s = newSource();
    SourceDescription first = s.describe();
    for (int i = 0; i < 3; i++) {
      assertEquals(first, s.describe(), "describe() call " + (i + 2) + " of an unchanged source");
    }
    assertEquals(first, newSource().describe(), "describe() of a second instance over the same server");
  }

  @Test
  void describeSaysWhatTheSourceIs() throws IOException {
    SourceDescription d = newSource().describe();
    assertEquals(expected().disks(), d.disks().size(), "disks of " + d);
    assertEquals(expected().osType(), d.osType(), "osType");
    assertNotNull(d.hostname(), "hostname");
    assertNotNull(d.osName(), "osName");
    assertNotNull(d.architecture(), "architecture");
  }

  @Test
  void disksAreIndexedFromZeroAndPartitionsLieInsideTheirDisk() throws IOException {
    SourceDescription d = newSource().describe();
    for (int i = 0; i < d.disks().size(); i++) {
      Disk disk = d.disks().get(i);
      assertEquals(i, disk.index(), "index of disks[" + i + "]");
      assertEquals(disk, d.disk(i).orElseThrow(), "disk(" + i + ")");
      assertTrue(disk.sizeBytes() > 0, "disk " + i + " size " + disk.sizeBytes());
      Set<Integer> numbers = new HashSet<>();
      for (Partition p : disk.partitions()) {
        String what = "disk " + i + " partition " + p.number();
        assertTrue(p.number() >= 1, what + ": numbers are 1-based");
        assertTrue(numbers.add(p.number()), what + " listed twice");
        assertTrue(p.startBytes() >= 0 && p.sizeBytes() > 0, what + ": start " + p.startBytes() + ", size "
            + p.sizeBytes());
        assertTrue(p.startBytes() + p.sizeBytes() <= disk.sizeBytes(), what + " ends at "
            + (p.startBytes() + p.sizeBytes()) + ", past the disk's " + disk.sizeBytes() + " bytes");
      }
    }
  }

  @Test
  void usedBytesNeverExceedWhatHoldsThem() throws IOException {
    SourceDescription d = newSource().describe();
    for (Disk disk : d.disks()) {
      String what = "disk " + disk.index();
      assertTrue(disk.usedBytes() >= 0 && disk.usedBytes() <= disk.sizeBytes(), what + ": used " + disk.usedBytes()
          + " of " + disk.sizeBytes());
      disk.fileSystem().ifPresent(fs -> assertFileSystemFits(fs, disk.sizeBytes(), what));
      for (Partition p : disk.partitions()) {
        String part = what + " partition " + p.number();
        OptionalLong used = p.usedBytes();
        if (used.isPresent()) {
          assertTrue(used.getAsLong() >= 0 && used.getAsLong() <= p.sizeBytes(), part + ": used " + used.getAsLong()
              + " of " + p.sizeBytes());
        }
        p.fileSystem().ifPresent(fs -> assertFileSystemFits(fs, p.sizeBytes(), part));
      }
    }
  }

  private static void assertFileSystemFits(FileSystem fs, long holder, String what) {
    assertNotNull(fs.type(), what + ": file system type");
    if (fs.sizeBytes().isPresent()) {
      assertTrue(fs.sizeBytes().getAsLong() <= holder, what + ": a file system of " + fs.sizeBytes().getAsLong()
          + " bytes in " + holder);
    }
    if (fs.usedBytes().isPresent()) {
      long used = fs.usedBytes().getAsLong();
      long size = fs.sizeBytes().orElse(holder);
      assertTrue(used >= 0 && used <= size, what + ": file system uses " + used + " of " + size);
    }
  }

  @Test
  void mountsAreOnDisksAndPartitionsThatExist() throws IOException {
    SourceDescription d = newSource().describe();
    for (Mount m : d.mounts()) {
      Disk disk = d.disk(m.disk()).orElseThrow(() -> new AssertionError("mount " + m + " is on disk " + m.disk()
          + ", one of " + d.disks().size()));
      assertTrue(m.partition() == 0 || disk.partition(m.partition()).isPresent(), "mount " + m
          + " is on a partition disk " + m.disk() + " does not have");
    }
  }

  @Test
  @Timeout(120)
  void describeFromSeveralThreadsAtOnceAgrees() throws Exception {
    MigrationSource s = newSource();
    SourceDescription want = s.describe();
    CyclicBarrier start = new CyclicBarrier(4);
    List<SourceDescription> got = Concurrently.run(4, () -> {
      start.await(60, TimeUnit.SECONDS);
      return s.describe();
    });
    for (SourceDescription g : got) {
      assertEquals(want, g, "describe() on one of several threads");
    }
  }

  // ------------------------------------------------------------------ open

  @Test
  void aSnapshotHasAStableRootThatIsAFolderForAFileLevelSource() throws IOException {
    try (SourceSnapshot snap = newSource().open()) {
      byte[] root = snap.root();
      assertNotNull(root, "root()");
      assertArrayEquals(root, snap.root(), "root() called twice");
      if (expected().kind() == ImageKind.FILES) {
        Path folder = Path.of(new String(root, fileNameCharset()));
        assertTrue(Files.isDirectory(folder), "the root of a file-level snapshot is no folder: " + folder);
      }
    }
  }

  @Test
  void closingASnapshotTwiceIsHarmlessAndTheNextCycleOpensAnother() throws IOException {
    MigrationSource s = newSource();
    SourceSnapshot first = s.open();
    first.close();
    first.close(); // Closeable: a second close does nothing
    try (SourceSnapshot second = s.open()) {
      assertNotNull(second.root(), "root() of the next cycle's snapshot");
      if (expected().kind() == ImageKind.FILES) {
        assertTrue(Files.isDirectory(Path.of(new String(second.root(), fileNameCharset()))), "root of the next"
            + " cycle's snapshot");
      }
    }
  }

  /** How this machine encodes file names as bytes, as {@link SourceSnapshot#root()} gives them. */
  private static Charset fileNameCharset() {
    String enc = System.getProperty("sun.jnu.encoding");
    try {
      return enc == null ? Charset.defaultCharset() : Charset.forName(enc);
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}
