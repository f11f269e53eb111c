package dev.smc.transfer.faults;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import dev.smc.testkit.FaultyBackend;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import dev.smc.transfer.repo.Repository;
import dev.smc.transfer.repo.StoredChunks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One seeded trial of the fault campaign: an operation (a file or block cycle, garbage collection,
 * forget, a restore) on a copy of the {@link Scenario}'s repository with one fault injected at a
 * point chosen by the seed among every backend call a clean run of it makes. Then, as after a
 * restart: check reads every byte clean, every image restores exactly, and the operation run again
 * completes — a cycle storing only what had not reached the repository.
 */
final class Trial {
  enum Op { CYCLE, BLOCK_CYCLE, GC, FORGET, RESTORE }

  enum Fault {
    /** The process dies at the call: it and every later call fail. */
    CRASH,
    /** As CRASH, but a put or delete at the crash had been done (its reply was lost). */
    CRASH_LANDS,
    /** One call fails (a dropped connection), later ones work. */
    PASSING,
    /** One put or delete is done but reported failed, later calls work. */
    PASSING_LANDS,
    /** The writer's clock jumps an hour or more, forward or back, at the call. */
    CLOCK_JUMP,
    /** Another process runs garbage collection at the call. */
    GC_BESIDE,
    /** The lock cannot be refreshed from the call on, and the cycle stalls past half the stale time. */
    LOCK_STARVED,
    /** A log file of the source grows while the cycle reads it. */
    SOURCE_GROWS
  }

  /** What a clean run of an operation returned, and how many backend calls it made. */
  record Clean(Object result, List<String> calls) {}

  /** What one trial did, for the campaign's figures. */
  record Outcome(long seed, Op op, Fault fault, int point, int calls, String call, boolean failed,
      boolean committed) {}

  private final Scenario base;
  private final long seed;
  private final Path work;
  private final SplittableRandom rnd;
  private final ManualClock clock = new ManualClock();
  final Op op;
  final Fault fault;

  Trial(Scenario base, long seed, Path work) {
    this.base = base;
    this.seed = seed;
    this.work = work;
    this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 7);
    // operations in turn, and for each the kinds of call in turn (see pick): consecutive seeds cover both
    this.op = Op.values()[(int) Math.floorMod(seed, (long) Op.values().length)];
    boolean cycle = op == Op.CYCLE || op == Op.BLOCK_CYCLE;
    // a backend fault three times in four (so the calls of a cycle are covered); else one of the others
    Fault f = Fault.values()[rnd.nextInt(4)];
    if (cycle && rnd.nextInt(4) == 0) {
      f = Fault.values()[4 + rnd.nextInt(op == Op.CYCLE ? 4 : 3)];
    }
    this.fault = f;
  }

  @Override
  public String toString() {
    return "seed " + seed + ": " + op + " with " + fault;
  }

  Outcome run() throws Exception {
    Input input = prepare();
    // a clean run on another copy: how many calls the operation makes, and what a cycle stores
    Clean clean = base.clean.get(op);
    if (clean == null) {
      InMemoryBackend cleanStore = base.copy(clock);
      precondition(cleanStore);
      FaultyBackend counting = new FaultyBackend(cleanStore).recordCalls();
      clean = new Clean(perform(counting, input, Repository.options()), counting.callLog());
      input.reset();
      if (op == Op.GC || op == Op.FORGET || op == Op.RESTORE) {
        base.clean.put(op, clean); // the same work in every trial
      }
    }
    int calls = clean.calls().size();

    InMemoryBackend store = base.copy(clock);
    precondition(store);
    Set<ChunkId> before = StoredChunks.in(store).keySet();
    FaultyBackend faulty = new FaultyBackend(store);
    int point = pick(clean.calls());
    Repository.Options options = arm(faulty, store, point, input);
    boolean failed = false;
    try {
      perform(faulty, input, options);
    } catch (Exception e) {
      failed = true;
      if (!FaultCampaignTest.causedByTheFault(e, fault)) {
        throw new AssertionError(this + ": failed for another reason than the fault", e);
      }
    } finally {
      input.stop();
    }
    String call = faulty.faultedCall().map(Trial::kindOf).orElse(fault == Fault.CLOCK_JUMP || fault
        == Fault.GC_BESIDE || fault == Fault.SOURCE_GROWS || fault == Fault.LOCK_STARVED ? fault.name() : "none");

    // restart: the process that ran it is gone (its lock is stale by the time anyone looks)
    faulty.disarm();
    clock.advance(Duration.ofMinutes(11));
    Verifier v = new Verifier(base, work, this);
    boolean committed;
    try (Repository after = Scenario.open(store, clock)) {
      committed = v.verify(after, op, input, failed);
      if (failed && !committed) {
        long survived = StoredChunks.in(store).entrySet().stream().filter(e -> !before.contains(e.getKey()))
            .mapToLong(Map.Entry::getValue).sum();
        Object rerun = perform(store, input, Repository.options(), after);
        if (clean.result() instanceof CycleReport c && rerun instanceof CycleReport r && fault != Fault.SOURCE_GROWS) {
          if (r.bytesStored() != c.bytesStored() - survived) {
            throw new AssertionError(this + ", fault at call " + point + " (" + call + "): the rerun stored "
                + r.bytesStored() + " bytes; a clean cycle stores " + c.bytesStored() + " and " + survived
                + " had reached the repository");
          }
        }
        v.verify(after, op, input, false);
      }
    }
    return new Outcome(seed, op, fault, point, calls, call, failed, committed);
  }

  /**
   * The call to aim at (1-based): a kind of call among those the clean run made
   * ("put data", "get index", "delete locks", ...), then one call of that kind — so that writes of
   * packs, indexes, manifests and locks are hit as often as the many reads.
   */
  private int pick(List<String> calls) {
    List<String> kinds = calls.stream().map(Trial::kindOf).distinct().sorted().toList();
    // in turn by seed, so that a short run of consecutive seeds covers every kind too
    String kind = kinds.get((int) Math.floorMod(seed / Op.values().length, (long) kinds.size()));
    List<Integer> at = new java.util.ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      if (kindOf(calls.get(i)).equals(kind)) {
        at.add(i + 1);
      }
    }
    return at.get(rnd.nextInt(at.size()));
  }

  /** "put data", "delete locks", "list index", ...: the kind of call and the kind of object. */
  static String kindOf(String call) {
    int sp = call.indexOf(' ');
    String name = call.substring(sp + 1);
    int slash = name.indexOf('/');
    return call.substring(0, sp) + " " + (slash < 0 ? (name.isEmpty() ? "-" : name) : name.substring(0, slash));
  }

  private void precondition(Backend store) throws IOException {
    if (op == Op.GC) {
      try (Repository r = Scenario.open(store, clock)) {
        r.forget("web", 1); // web-CYCLE_1 and 2 go, and db: their own chunks are garbage (whole packs, and parts)
        r.delete(new ImageRef("db", 1));
      }
    }
  }

  private Repository.Options arm(FaultyBackend faulty, InMemoryBackend store, int point, Input input) {
    Repository.Options options = Repository.options();
    switch (fault) {
      case CRASH -> faulty.crashAtCall(point);
      case CRASH_LANDS -> faulty.crashAtCall(point).landFailingPuts(true);
      case PASSING -> faulty.failCallOnce(point);
      case PASSING_LANDS -> faulty.failCallOnce(point).landFailingPuts(true);
      case CLOCK_JUMP -> {
        Duration by = Duration.ofMinutes(31 + rnd.nextInt(180));
        boolean back = rnd.nextBoolean();
        faulty.atCall(point, () -> clock.set(back ? clock.instant().minus(by) : clock.instant().plus(by)));
      }
      case GC_BESIDE -> faulty.atCall(point, () -> input.gcBeside(store, clock));
      case LOCK_STARVED -> {
        options.lockTimes(Duration.ofMillis(20), Duration.ofMillis(400));
        faulty.atCall(point, () -> {
          faulty.failPutsStartingWith("locks/");
          FaultCampaignTest.sleep(300);
        });
      }
      case SOURCE_GROWS -> input.grow();
      default -> throw new IllegalStateException();
    }
    return options;
  }

  private Object perform(Backend backend, Input input, Repository.Options options) throws IOException {
    try (Repository repo = Repository.open(backend, options.clock(clock).packSize(Scenario.PACK_SIZE))) {
      return perform(backend, input, options, repo);
    }
  }

  private Object perform(Backend backend, Input input, Repository.Options options, Repository repo)
      throws IOException {
    return switch (op) {
      case CYCLE -> FileMigration.builder().threads(2).build().run(repo, input.tree, "web", Excludes.NONE,
          TransferOptions.DEFAULTS);
      case BLOCK_CYCLE -> BlockMigration.builder().threads(2).build().run(repo, input.disk, "disk",
          TransferOptions.DEFAULTS);
      case GC -> repo.gc();
      case FORGET -> repo.forget("web", 1);
      case RESTORE -> new FileRestore(2).restore(repo, new ImageRef("web", 2), input.target);
    };
  }

  /** What the operation works on: a changed copy of the source, a disk with changed blocks, a restore target. */
  final class Input {
    final Path tree = work.resolve("web");
    final Path disk = work.resolve("disk.img");
    final Path target = work.resolve("restored");
    final Path log = tree.resolve("append.log");
    private Thread grower;
    private final AtomicBoolean growing = new AtomicBoolean();
    volatile String besideOutcome;

    void reset() throws IOException {
      if (Files.exists(target)) {
        Trees.remove(Trees.bytes(target));
      }
      if (fault == Fault.SOURCE_GROWS) {
        Files.write(log, RandomTree.randomBytes(new SplittableRandom(seed), 64 << 10));
      }
    }

    void grow() {
      growing.set(true);
      grower = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(seed);
        while (growing.get()) {
          try {
            Files.write(log, RandomTree.randomBytes(r, 4096), java.nio.file.StandardOpenOption.APPEND);
          } catch (IOException e) {
            return;
          }
        }
      }, "campaign-grower");
      grower.start();
    }

    void stop() throws InterruptedException {
      growing.set(false);
      if (grower != null) {
        grower.join();
      }
    }

    /** Garbage collection by another process, on the store without faults: refused while a cycle holds its lock. */
    void gcBeside(Backend store, ManualClock c) {
      try (Repository other = Scenario.open(store, c)) {
        other.gc();
        besideOutcome = "ran";
      } catch (SmcException e) {
        if (e.code() != ErrorCode.LOCKED) {
          throw new AssertionError(Trial.this + ": gc beside failed: " + e, e);
        }
        besideOutcome = "locked";
      } catch (IOException e) {
        throw new AssertionError(Trial.this + ": gc beside failed: " + e, e);
      }
    }
  }

  private Input prepare() throws Exception {
    Input in = new Input();
    Files.createDirectories(work);
    if (op == Op.CYCLE) {
      Trees.snapshot(base.webNow, in.tree);
      new RandomTree(in.tree, seed).mutate(1 + rnd.nextInt(6));
    } else if (op == Op.BLOCK_CYCLE) {
      Files.copy(base.diskNow, in.disk);
      try (RandomAccessFile f = new RandomAccessFile(in.disk.toFile(), "rw")) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0, n = 1 + r.nextInt(40); i < n; i++) {
          f.seek(r.nextLong(Scenario.DISK_BYTES / 4096) * 4096);
          f.write(RandomTree.randomBytes(r, 4096));
        }
      }
    }
    in.reset();
    return in;
  }
}
