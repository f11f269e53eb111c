package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tree pieces are stored in packs of their own, so the next cycle reads its parent's tree with a
 * few reads of neighbouring pieces instead of one read a piece (over a receiver or S3, a request
 * each): a no-change cycle of 3,000 files in ~100 pieces makes a handful of reads.
 */
class TreePacksTest {
  @TempDir
  Path tmp;

  @Test
  void treePiecesHaveTheirOwnPacksAndTheParentsTreeIsReadWithFewReads() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 3000; i++) {
      Path dir = Files.createDirectories(src.resolve("d" + i % 40));
      Files.write(dir.resolve("file-" + i), RandomTree.randomBytes(rnd, 200 + rnd.nextInt(3000)));
    }
    CountingBackend backend = new CountingBackend(new InMemoryBackend());
    try (Repository repo = Repository.open(backend)) {
      CycleReport full = FileMigration.builder().build().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      int treePacks = 0;
      for (Backend.ObjectInfo o : backend.list(Repository.DATA_PREFIX)) {
        Set<BlobType> types = EnumSet.noneOf(BlobType.class);
        PackFormat.parse(backend.get(o.name()), o.name()).forEach(e -> types.add(e.type()));
        assertEquals(1, types.size(), o.name() + " mixes tree pieces and data: " + types);
        treePacks += types.contains(BlobType.TREE) ? 1 : 0;
      }
      assertTrue(treePacks >= 1, "no pack of tree pieces");
      int pieces = repo.leaves(repo.manifest(full.image()).orElseThrow()).size();
      assertTrue(pieces >= 50, pieces + " tree pieces: too few to tell one read a piece from a few");

      backend.reads.set(0);
      CycleReport again = FileMigration.builder().build().run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(0, again.bytesStored(), "nothing changed");
      assertTrue(backend.reads.get() <= 12, backend.reads.get() + " reads of the repository for a no-change cycle"
          + " whose parent's tree has " + pieces + " pieces");
    }
  }

  /** A backend that counts the reads of object ranges and wholes, passing everything on. */
  private static final class CountingBackend implements Backend {
    final AtomicInteger reads = new AtomicInteger();
    private final Backend d;

    CountingBackend(Backend d) {
      this.d = d;
    }

    @Override
    public void put(String name, java.nio.ByteBuffer data, PutMode mode) throws java.io.IOException {
      d.put(name, data, mode);
    }

    @Override
    public java.nio.ByteBuffer get(String name) throws java.io.IOException {
      reads.incrementAndGet();
      return d.get(name);
    }

    @Override
    public java.nio.ByteBuffer get(String name, long offset, int length) throws java.io.IOException {
      reads.incrementAndGet();
      return d.get(name, offset, length);
    }

    @Override
    public java.util.Optional<Long> size(String name) throws java.io.IOException {
      return d.size(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws java.io.IOException {
      return new ArrayList<>(d.list(prefix));
    }

    @Override
    public void delete(String name) throws java.io.IOException {
      d.delete(name);
    }

    @Override
    public String location() {
      return d.location();
    }

    @Override
    public void close() throws java.io.IOException {
      d.close();
    }
  }
}
