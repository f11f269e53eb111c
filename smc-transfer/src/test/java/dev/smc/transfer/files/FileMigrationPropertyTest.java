package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For seeded random trees and seeded random changes over several cycles, every kept image
 * restores to exactly the source as it was at that cycle. Reproduce a failure with
 * {@code -Dsmc.seeds=<seed>} (the seed is in every assertion message).
 */
class FileMigrationPropertyTest {
  private static final int CYCLES = 4;
  private static final int KEEP = 3;

  @TempDir
  Path tmp;

  static LongStream seeds() {
    String given = System.getProperty("smc.seeds");
    if (given != null && !given.isBlank()) {
      return Arrays.stream(given.split(",")).mapToLong(s -> Long.parseLong(s.strip()));
    }
    return LongStream.of(20250101L, 7_777_777L, 0xC0FFEEL);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyKeptCycleRestoresToTheSourceAsItWasAtThatCycle(long seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    Path src = Files.createDirectory(tmp.resolve("src"));
    RandomTree tree = new RandomTree(src, seed);
    tree.create(40 + rnd.nextInt(30));
    int level = new int[] {0, 1, 4}[rnd.nextInt(3)];
    TransferOptions options = TransferOptions.builder().compressionLevel(level).checksum(rnd.nextBoolean()).build();
    String what = "seed " + seed + " (compression " + level + ", reproduce with -Dsmc.seeds=" + seed + ")";
    List<String> history = new ArrayList<>();

    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(tmp.resolve("repo")),
        Repository.options().packSize(1 << 20))) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        if (cycle > 1) {
          List<String> changes = tree.mutate(6 + rnd.nextInt(10));
          history.add("before cycle " + cycle + ": " + String.join("; ", changes));
        }
        CycleReport r = engine.run(repo, src, "prop", Excludes.NONE, options);
        assertEquals(new ImageRef("prop", cycle), r.image(), what);
        assertEquals(List.of(), r.warnings(), what);
        Trees.snapshot(src, tmp.resolve("at-cycle-" + cycle));
      }

      List<ImageRef> forgotten = repo.forget("prop", KEEP);
      assertEquals(CYCLES - KEEP, forgotten.size(), what);
      repo.gc();
      List<ImageRef> kept = repo.images().stream().map(ImageInfo::ref).toList();
      assertEquals(KEEP, kept.size(), what);
      for (ImageRef ref : kept) {
        List<String> diffs = Trees.restoreAndCompare(repo, ref, tmp.resolve("restored-" + ref.cycle()),
            tmp.resolve("at-cycle-" + ref.cycle()));
        assertEquals(List.of(), diffs, what + ": " + ref + " differs from the source at that cycle; changes were: "
            + String.join(" | ", history));
      }
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), what + ": check --read-data: " + check.errors());
    }
  }
}
