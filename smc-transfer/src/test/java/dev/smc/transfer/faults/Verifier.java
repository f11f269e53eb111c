package dev.smc.transfer.faults;

import dev.smc.ImageRef;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.transfer.blocks.BlockRestore;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.files.TreeCompare;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.annotation.Nullable;

/**
 * What must hold after a trial's fault, and again after its rerun: check with read-data is clean;
 * the images are the ones the operation may leave (nothing lost, nothing half made); every image
 * is the one that was committed (its manifest byte for byte) and restores exactly.
 */
final class Verifier {
  private static final Set<ImageRef> KEPT_BY_FORGET = Set.of(new ImageRef("web", 3), new ImageRef("db", 1),
      new ImageRef("disk", 1));

  /** The images a garbage collection trial removes before it collects. */
  static final Set<ImageRef> GONE_BEFORE_GC = Set.of(new ImageRef("web", 1), new ImageRef("web", 2),
      new ImageRef("db", 1));

  private final Scenario base;
  private final Path work;
  private final Trial trial;
  private int restores;

  Verifier(Scenario base, Path work, Trial trial) {
    this.base = base;
    this.work = work;
    this.trial = trial;
  }

  private AssertionError failure(String what) {
    return new AssertionError(trial + ": " + what);
  }

  /** Checks the repository; returns whether the operation's new image exists. */
  boolean verify(Repository repo, Trial.Op op, Trial.Input input, boolean failed) throws Exception {
    Checker.Report check = repo.check(true);
    if (!check.ok()) {
      throw failure("check --read-data: " + check.errors());
    }
    Set<ImageRef> present = repo.images().stream().map(ImageInfo::ref).collect(Collectors.toCollection(TreeSet::new));
    Set<ImageRef> before = new TreeSet<>(base.expected.keySet());
    if (op == Trial.Op.GC) {
      before.removeAll(GONE_BEFORE_GC);
    }
    ImageRef fresh = op == Trial.Op.CYCLE ? new ImageRef("web", 4) : op == Trial.Op.BLOCK_CYCLE
        ? new ImageRef("disk", 2) : null;
    boolean committed = fresh != null && present.contains(fresh);
    if (fresh != null && !failed && !committed) {
      throw failure("the cycle reported success but " + fresh + " is not there: " + present);
    }
    Set<ImageRef> allowed = new HashSet<>(before);
    if (committed) {
      allowed.add(fresh);
    }
    Set<ImageRef> required = op == Trial.Op.FORGET ? (failed ? KEPT_BY_FORGET : null) : allowed;
    if (op == Trial.Op.FORGET && !failed && !present.equals(KEPT_BY_FORGET)) {
      throw failure("forget keep 1 left " + present);
    }
    if (!allowed.containsAll(present) || required != null && !present.containsAll(required)) {
      throw failure("images " + present + "; allowed " + allowed + ", required " + required);
    }
    List<ImageRef> refs = List.copyOf(present);
    for (int i = 0; i < refs.size(); i++) {
      ImageRef ref = refs.get(i);
      if (ref.equals(fresh)) {
        restoreFresh(repo, ref, input);
        continue;
      }
      ByteBuffer stored = repo.backend().get("images/" + ref);
      if (!stored.equals(base.manifests.get(ref))) {
        throw failure("the manifest of " + ref + " changed");
      }
      // every image restores where an operation could have touched its data; otherwise one a trial, in turn
      if (op == Trial.Op.GC || FaultCampaignTest.RESTORE_ALL || Math.floorMod(restores + i, refs.size()) == 0) {
        restore(repo, ref, base.expected.get(ref), null);
      }
    }
    if (op == Trial.Op.RESTORE) {
      if (failed) {
        try (var s = Files.exists(input.target) ? Files.list(input.target) : java.util.stream.Stream.<Path>empty()) {
          if (s.findAny().isPresent()) {
            throw failure("a failed restore left files in " + input.target);
          }
        }
      } else {
        List<String> d = TreeCompare.differences(Trees.bytes(base.expected.get(new ImageRef("web", 2))),
            Trees.bytes(input.target));
        if (!d.isEmpty()) {
          throw failure("the restore differs: " + d);
        }
      }
    }
    restores++;
    return committed;
  }

  private void restoreFresh(Repository repo, ImageRef ref, Trial.Input input) throws Exception {
    if (ref.name().equals("disk")) {
      restore(repo, ref, input.disk, null);
      return;
    }
    if (trial.fault != Trial.Fault.SOURCE_GROWS) {
      restore(repo, ref, input.tree, null);
      return;
    }
    // the log grew while it was read: the image holds a prefix of it, at least what it held at the start
    Path to = restore(repo, ref, input.tree, "append.log: ");
    byte[] got = Files.readAllBytes(to.resolve("append.log"));
    byte[] now = Files.readAllBytes(input.log);
    if (got.length < (64 << 10) || got.length > now.length || !Arrays.equals(got, 0, got.length, now, 0, got.length)) {
      throw failure("the grown log restored as " + got.length + " bytes, not a prefix of its " + now.length);
    }
  }

  /**
   * Restores {@code ref} into a new folder or file and compares it with {@code expected}, but for
   * differences starting with {@code leaveOut}; returns where.
   */
  private Path restore(Repository repo, ImageRef ref, Path expected, @Nullable String leaveOut) throws IOException {
    Path to = work.resolve("check-" + ref + "-" + System.nanoTime());
    if (repo.image(ref).orElseThrow().kind() == ImageKind.BLOCKS) {
      new BlockRestore().restore(repo, ref, to);
      if (!Arrays.equals(Files.readAllBytes(expected), Files.readAllBytes(to))) {
        throw failure(ref + " does not restore to the disk it was made from");
      }
      Files.delete(to);
      return to;
    }
    FileRestore.Report r = new FileRestore(2).restore(repo, ref, to);
    if (!r.warnings().isEmpty()) {
      throw failure("restoring " + ref + ": " + r.warnings());
    }
    List<String> d = TreeCompare.differences(Trees.bytes(expected), Trees.bytes(to)).stream()
        .filter(x -> leaveOut == null || !x.startsWith(leaveOut)).toList();
    if (!d.isEmpty()) {
      throw failure(ref + " does not restore exactly: " + d);
    }
    return to;
  }
}
