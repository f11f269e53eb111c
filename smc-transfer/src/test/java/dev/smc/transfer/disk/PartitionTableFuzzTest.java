package dev.smc.transfer.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes where a partition table belongs give a layout or a clean {@link IntegrityException} naming an
 * offset — never another exception. Each case derives from its seed, printed on failure.
 */
class PartitionTableFuzzTest {
  private static final int CASES = 2000;
  private static final int DISK = 256 << 10;

  @TempDir
  Path tmp;

  /** How each case shapes its random first sectors, so most get past the first check. */
  private enum Shape {
    RANDOM, BOOT_SIGNATURE, MBR_ENTRIES, PROTECTIVE_AND_SIGNATURE, GPT_WITH_VALID_HEADER_CRC
  }

  @Test
  void randomFirstSectorsGiveALayoutOrAnIntegrityErrorNamingAnOffset() throws IOException {
    Path disk = tmp.resolve("fuzz.img");
    byte[] image = new byte[DISK];
    int tables = 0;
    int errors = 0;
    for (int seed = 0; seed < CASES; seed++) {
      Random rnd = new Random(seed);
      java.util.Arrays.fill(image, (byte) 0);
      Shape shape = Shape.values()[seed % Shape.values().length];
      fill(image, shape, rnd);
      Files.write(disk, image);
      try (DiskReader r = DiskReader.open(disk)) {
        DiskLayout l = PartitionTable.read(r);
        for (Partition p : l.partitions()) {
          assertTrue(p.startBytes() + p.sizeBytes() <= DISK, "seed " + seed + ": " + p + " past the disk's end");
        }
        tables += l.tableType() == DiskLayout.TableType.NONE ? 0 : 1;
      } catch (IntegrityException e) {
        assertTrue(e.getMessage().contains("offset"), "seed " + seed + ": no offset in: " + e.getMessage());
        errors++;
      } catch (RuntimeException | IOException e) {
        throw new AssertionError("seed " + seed + " (" + shape + "): " + e, e);
      }
    }
    assertTrue(tables > CASES / 10 && errors > CASES / 10, tables + " tables, " + errors + " errors: the shapes "
        + "should reach both");
  }

  private static void fill(byte[] image, Shape shape, Random rnd) {
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    byte[] two = new byte[1024];
    rnd.nextBytes(two);
    b.put(0, two);
    switch (shape) {
      case RANDOM -> { }
      case BOOT_SIGNATURE -> b.putShort(510, (short) 0xaa55);
      case MBR_ENTRIES -> {
        b.putShort(510, (short) 0xaa55);
        for (int i = 0; i < 4; i++) {
          int at = 446 + 16 * i;
          b.put(at, (byte) (rnd.nextBoolean() ? 0 : 0x80));
          b.put(at + 4, (byte) new int[] {0, 0x83, 0x05, 0x0f, 0x82, 0x85}[rnd.nextInt(6)]);
          // mostly inside the disk, sometimes past its end
          b.putInt(at + 8, rnd.nextInt(DISK / 1024));
          b.putInt(at + 12, rnd.nextInt(DISK / 1024 + 16));
        }
        // EBR-like sectors where the extended partitions may point
        for (int s = 0; s < 40; s++) {
          int sector = rnd.nextInt(DISK / 512);
          b.putShort(sector * 512 + 510, (short) 0xaa55);
          for (int i = 0; i < 2; i++) {
            int at = sector * 512 + 446 + 16 * i;
            b.put(at + 4, (byte) (i == 0 ? 0x83 : 0x05));
            b.putInt(at + 8, rnd.nextInt(DISK / 1024));
            b.putInt(at + 12, rnd.nextInt(DISK / 4096));
          }
        }
      }
      case PROTECTIVE_AND_SIGNATURE -> {
        b.putShort(510, (short) 0xaa55);
        b.put(446, (byte) 0).put(446 + 4, (byte) 0xee);
        b.put(512, "EFI PART".getBytes(StandardCharsets.US_ASCII));
      }
      case GPT_WITH_VALID_HEADER_CRC -> {
        b.putShort(510, (short) 0xaa55);
        b.put(446, (byte) 0).put(446 + 4, (byte) 0xee);
        long last = DISK / 512 - 1;
        b.put(512, "EFI PART".getBytes(StandardCharsets.US_ASCII));
        b.putInt(512 + 12, 92);
        b.putLong(512 + 24, rnd.nextInt(4) == 0 ? rnd.nextLong() : 1);
        b.putLong(512 + 32, rnd.nextInt(4) == 0 ? rnd.nextLong() : last);
        b.putLong(512 + 40, rnd.nextInt(4) == 0 ? rnd.nextLong() : 34);
        b.putLong(512 + 48, rnd.nextInt(4) == 0 ? rnd.nextLong() : last - 33);
        b.putLong(512 + 72, rnd.nextInt(4) == 0 ? rnd.nextLong() : 2);
        b.putInt(512 + 80, rnd.nextInt(4) == 0 ? rnd.nextInt() : 4);
        b.putInt(512 + 84, rnd.nextInt(4) == 0 ? rnd.nextInt() : 128);
        // 4 random entries with sane-ish sector numbers, and their CRC
        for (int i = 0; i < 4; i++) {
          int at = 1024 + 128 * i;
          if (rnd.nextBoolean()) {
            b.putLong(at, rnd.nextLong()).putLong(at + 8, rnd.nextLong());
          }
          b.putLong(at + 32, rnd.nextInt(DISK / 512 + 64));
          b.putLong(at + 40, rnd.nextInt(DISK / 512 + 64));
        }
        CRC32 crc = new CRC32();
        crc.update(image, 1024, 512);
        b.putInt(512 + 88, rnd.nextInt(8) == 0 ? rnd.nextInt() : (int) crc.getValue());
        b.putInt(512 + 16, 0);
        crc.reset();
        crc.update(image, 512, 92);
        b.putInt(512 + 16, (int) crc.getValue());
      }
      default -> fail("shape " + shape);
    }
  }

  @Test
  void theFuzzShapesIncludeAValidGpt() throws IOException {
    // a sanity check of the generator: with no random overrides the GPT shape is a valid, empty-or-not table
    Path disk = tmp.resolve("shape.img");
    byte[] image = new byte[DISK];
    for (int seed = 0; seed < 200; seed++) {
      java.util.Arrays.fill(image, (byte) 0);
      fill(image, Shape.GPT_WITH_VALID_HEADER_CRC, new Random(seed));
      Files.write(disk, image);
      try (DiskReader r = DiskReader.open(disk)) {
        DiskLayout l = PartitionTable.read(r);
        assertEquals(DiskLayout.TableType.GPT, l.tableType());
        assertTrue(l.warnings().stream().anyMatch(w -> w.contains("backup GPT is invalid")), l.warnings().toString());
        return;
      } catch (IntegrityException e) {
        // this seed drew nonsense; try the next
      }
    }
    fail("no seed of 200 made a readable GPT");
  }
}
