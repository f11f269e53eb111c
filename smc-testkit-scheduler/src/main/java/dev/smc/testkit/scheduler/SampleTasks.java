package dev.smc.testkit.scheduler;

import dev.smc.BusinessStep;
import dev.smc.ImageRef;
import dev.smc.NetworkMode;
import dev.smc.Progress;
import dev.smc.RunMode;
import dev.smc.TargetDisks;
import dev.smc.TargetType;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.TransferOptions;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.RunType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tasks for store tests: one with every field set to a value a careless encoding would lose
 * (nanosecond times, text with newlines, tabs, backslashes, '=' and non-ASCII, empty values,
 * fractional rates), one with every optional field empty, and one per state. Immutable values;
 * the methods are thread-safe.
 */
public final class SampleTasks {
  /** The base time of every sample: it has nanoseconds, which a store must keep. */
  public static final Instant T = Instant.parse("2025-03-01T10:00:00.123456789Z");

  private SampleTasks() {}

  /** A Running task of {@code id} with every field set. */
  public static MigrationTask full(TaskId id) {
    TaskSpec spec = TaskSpec.builder().name("db:main_1").description("line one\nline\ttwo \\ ü=x # !")
        .source("/srv/data dir/ü").imageName("db-img").exclude("/var/cache/").exclude("*.tmp")
        .incremental(Duration.ofHours(6), 3).runMode(RunMode.at(T.plus(Duration.ofHours(1))))
        .validity(Duration.ofDays(45)).tag("env", "prod").tag("owner", "").tag("note", "a=b c")
        .transfer(new TransferOptions(1024, 5, true)).clientToken("tok-1")
        .targetType(TargetType.CONTAINER_IMAGE)
        .targetDisks(new TargetDisks(40, List.of(new TargetDisks.DataDisk(1, 100)), List.of(
            new TargetDisks.PartitionSize(0, 2, 30), new TargetDisks.PartitionSize(1, 1, 90)), List.of("0_1", "1_2")))
        .network(NetworkMode.privateNetwork("vpc-1", "vsw-2")).build();
    List<CycleRecord> cycles = List.of(
        new CycleRecord(1, RunType.RunNow, T, Optional.of(T.plusNanos(5_000_000_001L)),
            Optional.of(new ImageRef("db-img", 1)), 1000, 800, CycleRecord.Outcome.Succeeded, Optional.empty(), 1),
        new CycleRecord(2, RunType.Manual, T.plusSeconds(30), Optional.of(T.plusSeconds(31)), Optional.empty(), 0, 0,
            CycleRecord.Outcome.Cancelled, Optional.of("cancelled"), 1),
        new CycleRecord(3, RunType.Schedule, T.plusSeconds(60), Optional.empty(), Optional.empty(),
            Long.MAX_VALUE / 3, 5, CycleRecord.Outcome.Running, Optional.of("earlier: SOURCE_IO: x\ny\tz"), 3));
    Progress progress = new Progress(10, 100, true, 9, 6, 5, 2, 1234.5, 1000.25, 512.125, Duration.ofMillis(3001));
    return new MigrationTask(id, spec, TaskState.Running, Optional.of(BusinessStep.Syncing), Optional.of(progress),
        cycles, Optional.of(T.plusSeconds(3600)), T, T.plus(Duration.ofDays(45)), Optional.empty(),
        List.of(new ImageRef("db-img", 1), new ImageRef("db-img", 3)), Optional.of("transit-x_1"),
        Optional.of(new MigrationTask.Owner(4242, "inst-ü", T.plusSeconds(61))), true,
        Optional.of("why: a\nb"));
  }

  /** A Stopped one-time task of {@code id}: every optional field empty, every list empty. */
  public static MigrationTask bare(TaskId id) {
    TaskSpec spec = TaskSpec.builder().name("bare").source("/").imageName("bare").runMode(RunMode.createOnly())
        .build();
    return new MigrationTask(id, spec, TaskState.Stopped, Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), T, T.plus(TaskSpec.DEFAULT_VALIDITY), Optional.empty(), List.of(), Optional.empty(),
        Optional.empty(), false, Optional.empty());
  }

  /**
   * A task of {@code id} in {@code state}, with the step, next run, expiry and error that state
   * has, and one cycle whose outcome and run type vary with the state.
   */
  public static MigrationTask in(TaskId id, TaskState state) {
    int k = state.ordinal();
    CycleRecord.Outcome[] outcomes = CycleRecord.Outcome.values();
    RunType[] types = RunType.values();
    BusinessStep[] steps = BusinessStep.values();
    CycleRecord.Outcome outcome = outcomes[k % outcomes.length];
    CycleRecord cycle = new CycleRecord(k + 1, types[k % types.length], T.plusSeconds(k),
        outcome == CycleRecord.Outcome.Running ? Optional.empty() : Optional.of(T.plusSeconds(k + 1)),
        outcome == CycleRecord.Outcome.Succeeded ? Optional.of(new ImageRef("img-" + k, k + 1)) : Optional.empty(),
        k * 1000L, k * 10L, outcome, outcome == CycleRecord.Outcome.Failed ? Optional.of("failed") : Optional.empty(),
        k + 1);
    TaskSpec spec = TaskSpec.builder().name("task-" + state).source("/src/" + k).imageName("img-" + k)
        .runMode(k % 2 == 0 ? RunMode.now() : RunMode.createOnly()).build();
    return new MigrationTask(id, spec, state,
        state == TaskState.Running ? Optional.of(steps[k % steps.length]) : Optional.empty(), Optional.empty(),
        List.of(cycle), Optional.of(T.plus(Duration.ofHours(k))), T, T.plus(Duration.ofDays(30)),
        state == TaskState.Expired ? Optional.of(T.plus(Duration.ofDays(37))) : Optional.empty(), List.of(),
        Optional.empty(), Optional.empty(), false,
        state == TaskState.InError ? Optional.of("interrupted") : Optional.empty());
  }
}
