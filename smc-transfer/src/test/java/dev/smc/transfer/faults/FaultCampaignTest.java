package dev.smc.transfer.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.testkit.FaultyBackend;
import dev.smc.transfer.files.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign of issue #11: seeded faults at every step of a cycle (file and block), garbage
 * collection, forget and restore — any backend call a clean run makes (pack, index, manifest and
 * lock writes, reads, lists, deletes, barriers), crashes and passing failures, with or without the
 * write landing, a clock that jumps, garbage collection run by another process, a lock that cannot
 * be refreshed, a source file that grows while it is read. After each: check reads every byte
 * clean, every image restores exactly, nothing is lost or half made, and the rerun completes,
 * storing only what had not reached the repository. See {@link Trial}.
 *
 * <p>CI runs {@value #CI_FAULTS} seeds. A long run: {@code ./mvnw -pl smc-transfer test
 * -Dtest=FaultCampaignTest -Dsmc.faults=1000} ({@code -Dsmc.faults.seed=S} for the first seed,
 * {@code -Dsmc.faults.restoreAll=true} to restore every image after every fault); the figures go to
 * {@code target/fault-campaign.txt}.
 */
class FaultCampaignTest {
  static final int CI_FAULTS = 100;
  static final int FAULTS = Integer.getInteger("smc.faults", CI_FAULTS);
  static final long FIRST_SEED = Long.getLong("smc.faults.seed", 1);
  static final boolean RESTORE_ALL = Boolean.getBoolean("smc.faults.restoreAll");

  @TempDir
  Path tmp;

  @Test
  void everySeededFaultLeavesEveryImageWholeAndTheRerunStoresOnlyWhatIsMissing() throws Exception {
    Scenario base = Scenario.build(tmp.resolve("base"));
    List<Trial.Outcome> outcomes = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    for (long seed = FIRST_SEED; seed < FIRST_SEED + FAULTS; seed++) {
      Path work = tmp.resolve("t" + seed);
      Trial t = new Trial(base, seed, work);
      try {
        outcomes.add(t.run());
      } catch (AssertionError | Exception e) {
        failures.add(t + ": " + e);
        if (failures.size() == 1) {
          e.printStackTrace();
        }
      }
      if (Files.exists(work)) {
        Trees.remove(Trees.bytes(work));
      }
    }
    String report = report(outcomes, failures, (System.nanoTime() - started) / 1e9);
    System.out.println(report);
    Files.writeString(Path.of("target", "fault-campaign.txt"), report, StandardCharsets.UTF_8);
    assertEquals(List.of(), failures, report);
  }

  private static String report(List<Trial.Outcome> outcomes, List<String> failures, double seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(java.util.Locale.ROOT, "fault campaign: %d trials (seeds %d..%d) in %.0f s, %d failed%n",
        outcomes.size() + failures.size(), FIRST_SEED, FIRST_SEED + FAULTS - 1, seconds, failures.size()));
    sb.append("by operation and fault: ").append(count(outcomes, o -> o.op() + "/" + o.fault())).append('\n');
    sb.append("by call faulted: ").append(count(outcomes, Trial.Outcome::call)).append('\n');
    sb.append("operation failed: ").append(outcomes.stream().filter(Trial.Outcome::failed).count())
        .append(", new image committed: ").append(outcomes.stream().filter(Trial.Outcome::committed).count())
        .append(", images lost, wrong or unrestorable: ").append(failures.size()).append('\n');
    failures.forEach(f -> sb.append("FAILED ").append(f).append('\n'));
    return sb.toString();
  }

  private static Map<String, Long> count(List<Trial.Outcome> o, java.util.function.Function<Trial.Outcome, String> by) {
    return o.stream().collect(Collectors.groupingBy(by, TreeMap::new, Collectors.counting()));
  }

  /** Whether {@code e} is what the injected fault explains: the fault itself, or the lock it cost. */
  static boolean causedByTheFault(Throwable e, Trial.Fault fault) {
    if (fault == Trial.Fault.CLOCK_JUMP || fault == Trial.Fault.GC_BESIDE || fault == Trial.Fault.SOURCE_GROWS) {
      return false; // none of these may make an operation fail
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof FaultyBackend.InjectedFault || c instanceof SmcException s && s.code() == ErrorCode.LOCKED) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (causedByTheFault(s, fault)) {
          return true;
        }
      }
      if (c.getMessage() != null && c.getMessage().contains("injected fault")) {
        return true;
      }
    }
    return false;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
