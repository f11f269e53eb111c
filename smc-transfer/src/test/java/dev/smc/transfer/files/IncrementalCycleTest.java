package dev.smc.transfer.files;

import static dev.smc.transfer.files.Trees.POSIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.testkit.RecordingListener;
import dev.smc.testkit.RecordingListener.CycleFinished;
import dev.smc.testkit.RecordingListener.CycleStarted;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.codec.Codec;
import dev.smc.transfer.codec.CompressionLevels;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an incremental cycle costs: unchanged files are not read, and the repository grows by what changed. */
class IncrementalCycleTest {
  private static final int CHUNK = Repository.DEFAULT_CHUNK_SIZE;

  @TempDir
  Path tmp;

  private final SplittableRandom rnd = new SplittableRandom(2);

  private byte[] random(int n) {
    return RandomTree.randomBytes(rnd, n);
  }

  private static long repositoryBytes(Backend b) throws IOException {
    long n = 0;
    for (Backend.ObjectInfo o : b.list("")) {
      n += o.size();
    }
    return n;
  }

  @Test
  void unchangedFilesAreReusedWithoutBeingReadAndOnlyChangedFilesAreRead() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    byte[] src = Trees.bytes(srcPath);
    List<byte[]> files = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] dir = Trees.join(src, "d" + (i % 4) + "/sub" + (i % 3));
      Trees.mkdirs(dir);
      byte[] f = Trees.join(dir, "file-" + i);
      Trees.write(f, random(i == 0 ? 0 : rnd.nextInt(200_000)));
      files.add(f);
    }
    POSIX.symlink(dev.smc.transfer.internal.posix.PathBytes.of("d0"), Trees.join(src, "link"));
    RecordingListener events = new RecordingListener();
    List<CycleReport> reports = new ArrayList<>();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(tmp.resolve("repo")))) {
      FileMigration engine = FileMigration.builder().threads(2).listener(events).build();
      CycleReport full = engine.run(repo, srcPath, "inc", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(CycleType.FULL, full.type());
      assertEquals(Trees.fileBytes(srcPath), full.bytesRead(), "a full cycle reads every file once");

      CycleReport same = engine.run(repo, srcPath, "inc", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(CycleType.INCREMENTAL, same.type());
      assertEquals(30, same.filesReused(), "files reused unopened by a cycle without changes");
      assertEquals(0, same.bytesRead(), "bytes read by a cycle without changes");
      assertEquals(0, same.chunksNew());
      assertEquals(0, same.bytesStored(), "bytes stored by a cycle without changes");

      Trees.writeAt(files.get(7), 1000, random(10));
      Trees.writeAt(files.get(20), POSIX.lstat(files.get(20)).size(), random(70_000));
      long changedSizes = POSIX.lstat(files.get(7)).size() + POSIX.lstat(files.get(20)).size();
      CycleReport two = engine.run(repo, srcPath, "inc", Excludes.NONE, TransferOptions.DEFAULTS);
      assertEquals(28, two.filesReused(), "files reused unopened after two changed");
      assertEquals(changedSizes, two.bytesRead(), "bytes read after two files changed: exactly theirs");

      reports.addAll(List.of(full, same, two));
      List<String> diffs = Trees.restoreAndCompare(repo, two.image(), tmp.resolve("restored"), srcPath);
      assertEquals(List.of(), diffs);
    }
    assertEquals(List.of(), events.cycleContractViolations());
    assertEquals(List.of(1, 2, 3), events.events(CycleStarted.class).stream().map(CycleStarted::cycle).toList());
    assertEquals(reports, events.events(CycleFinished.class).stream().map(CycleFinished::report).toList(),
        "the listener heard of every cycle what run returned");
  }

  @Test
  void scatteredSmallWritesIntoABigFileGrowTheRepositoryByTheChunksTheyTouchNotByTheFile() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    byte[] big = Trees.join(Trees.bytes(srcPath), "disk.img");
    int size = 50 << 20;
    Trees.write(big, random(size));
    try (LocalFolderBackend backend = LocalFolderBackend.openWithoutSync(tmp.resolve("repo"));
        Repository repo = Repository.open(backend)) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      engine.run(repo, srcPath, "big", Excludes.NONE, TransferOptions.DEFAULTS);
      long before = repositoryBytes(backend);

      for (int chunk : distinctChunks(20, size / CHUNK)) {
        Trees.writeAt(big, (long) chunk * CHUNK + rnd.nextInt(CHUNK - 4096 + 1), random(4096));
      }
      CycleReport r = engine.run(repo, srcPath, "big", Excludes.NONE, TransferOptions.DEFAULTS);
      long grown = repositoryBytes(backend) - before;
      assertEquals(20, r.chunksNew(), "new chunks after 20 writes into 20 chunks");
      assertTrue(grown >= 20 * CHUNK, "the repository grew by only " + grown + " bytes");
      assertTrue(grown < 20 * CHUNK + 256 * 1024, "the repository grew by " + grown + " bytes for 20 x 4 KiB"
          + " written into a " + size + "-byte file; allowed 20 x 64 KiB + 256 KiB");
      assertEquals(List.of(), Trees.restoreAndCompare(repo, r.image(), tmp.resolve("restored"), srcPath));
    }
  }

  @Test
  void withCompressionTheRepositoryGrowsByTheCompressedSizeOfTheChangedChunks() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    byte[] log = Trees.join(Trees.bytes(srcPath), "app.log");
    int size = 16 << 20;
    byte[] content = text(size);
    Trees.write(log, content);
    TransferOptions lz4 = TransferOptions.builder().compressionLevel(1).build();
    try (LocalFolderBackend backend = LocalFolderBackend.openWithoutSync(tmp.resolve("repo"));
        Repository repo = Repository.open(backend)) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      CycleReport full = engine.run(repo, srcPath, "log", Excludes.NONE, lz4);
      assertTrue(full.bytesStored() < size * 3 / 4, "compressible text stored as " + full.bytesStored() + " bytes");
      long before = repositoryBytes(backend);

      long compressedChanged = 0;
      for (int chunk : distinctChunks(20, size / CHUNK)) {
        int off = chunk * CHUNK + rnd.nextInt(CHUNK - 4096 + 1);
        byte[] w = text(4096);
        System.arraycopy(w, 0, content, off, w.length);
        Trees.writeAt(log, off, w);
        compressedChanged += lz4Size(content, chunk * CHUNK);
      }
      CycleReport r = engine.run(repo, srcPath, "log", Excludes.NONE, lz4);
      long grown = repositoryBytes(backend) - before;
      assertEquals(20, r.chunksNew());
      assertTrue(grown >= compressedChanged, "grew " + grown + " < " + compressedChanged);
      assertTrue(grown < compressedChanged + 256 * 1024, "the repository grew by " + grown + " bytes; the changed"
          + " chunks compress to " + compressedChanged + " (allowed + 256 KiB of metadata)");
      assertEquals(List.of(), Trees.restoreAndCompare(repo, r.image(), tmp.resolve("restored"), srcPath));
    }
  }

  private static int lz4Size(byte[] content, int from) {
    Codec.Compressor c = CompressionLevels.forLevel(1).orElseThrow();
    byte[] dst = new byte[Codec.maxCompressedLength(CHUNK)];
    int n = c.compress(content, from, CHUNK, dst);
    return n < 0 ? CHUNK : n;
  }

  private List<Integer> distinctChunks(int n, int of) {
    TreeSet<Integer> s = new TreeSet<>();
    while (s.size() < n) {
      s.add(rnd.nextInt(of));
    }
    return new ArrayList<>(s);
  }

  private byte[] text(int n) {
    String[] words = "GET POST /api/v1/users 200 404 500 ms user=alice user=bob latency cache hit miss".split(" ");
    StringBuilder sb = new StringBuilder(n + 64);
    while (sb.length() < n) {
      sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(1000)).append(rnd.nextInt(8) == 0 ? '\n' : ' ');
    }
    return sb.substring(0, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
