package dev.smc.transfer.faults;

import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The repository every trial of the fault campaign starts from: three cycles of a file tree
 * {@code web}, one of another tree {@code db}, one of a disk {@code disk}, with a snapshot of each
 * source as it was at its cycle. A trial works on a copy of the objects, so trials do not interfere.
 */
final class Scenario {
  static final int PACK_SIZE = 256 << 10;
  static final int DISK_BYTES = 2 << 20;

  final Path dir;
  final Map<String, byte[]> objects = new LinkedHashMap<>();
  /** What each committed image must restore to: a folder for a file image, a disk file for a block image. */
  final Map<ImageRef, Path> expected = new LinkedHashMap<>();
  /** The manifests as they were made, byte for byte. */
  final Map<ImageRef, ByteBuffer> manifests = new LinkedHashMap<>();
  /** Clean runs of the operations whose work is the same in every trial. */
  final Map<Trial.Op, Trial.Clean> clean = new java.util.EnumMap<>(Trial.Op.class);
  final Path webNow;
  final Path diskNow;

  private Scenario(Path dir) {
    this.dir = dir;
    this.webNow = dir.resolve("snap/web-CYCLE_3");
    this.diskNow = dir.resolve("snap/disk-CYCLE_1.img");
  }

  static Repository open(Backend b, ManualClock clock) throws IOException {
    return Repository.open(b, Repository.options().clock(clock).packSize(PACK_SIZE));
  }

  static Scenario build(Path dir) throws Exception {
    Scenario s = new Scenario(dir);
    Files.createDirectories(dir.resolve("snap"));
    ManualClock clock = new ManualClock();
    InMemoryBackend store = new InMemoryBackend(clock);
    FileMigration files = FileMigration.builder().threads(2).build();
    Path web = Files.createDirectory(dir.resolve("web"));
    RandomTree tree = new RandomTree(web, 1);
    tree.create(25);
    Path db = Files.createDirectory(dir.resolve("db"));
    new RandomTree(db, 2).create(8);
    Path disk = dir.resolve("disk.img");
    Files.write(disk, RandomTree.randomBytes(new SplittableRandom(3), DISK_BYTES));
    try (Repository repo = open(store, clock)) {
      for (int c = 1; c <= 3; c++) {
        if (c > 1) {
          tree.mutate(6);
        }
        clock.advance(Duration.ofHours(1));
        s.record(files.run(repo, web, "web", Excludes.NONE, TransferOptions.DEFAULTS).image(), web);
      }
      s.record(files.run(repo, db, "db", Excludes.NONE, TransferOptions.DEFAULTS).image(), db);
      s.record(BlockMigration.builder().threads(2).build().run(repo, disk, "disk", TransferOptions.DEFAULTS).image(),
          disk);
    }
    for (Backend.ObjectInfo o : store.list("")) {
      ByteBuffer b = store.get(o.name());
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      s.objects.put(o.name(), copy);
      if (o.name().startsWith("images/")) {
        s.manifests.put(ImageRef.parse("image", o.name().substring(7)), ByteBuffer.wrap(copy));
      }
    }
    return s;
  }

  private void record(ImageRef ref, Path source) throws Exception {
    Path snap = dir.resolve("snap").resolve(ref + (Files.isDirectory(source) ? "" : ".img"));
    if (Files.isDirectory(source)) {
      Trees.snapshot(source, snap);
    } else {
      Files.copy(source, snap);
    }
    expected.put(ref, snap);
  }

  /** A new store holding the scenario's objects, timed by {@code clock}. */
  InMemoryBackend copy(ManualClock clock) throws IOException {
    InMemoryBackend b = new InMemoryBackend(clock);
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      b.put(e.getKey(), ByteBuffer.wrap(e.getValue()), Backend.PutMode.CREATE_NEW);
    }
    return b;
  }
}
