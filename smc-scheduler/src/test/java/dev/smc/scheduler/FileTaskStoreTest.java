package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.BusinessStep;
import dev.smc.ImageRef;
import dev.smc.NetworkMode;
import dev.smc.Progress;
import dev.smc.RunMode;
import dev.smc.TargetDisks;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.TransferOptions;
import dev.smc.scheduler.spi.TaskStore;
import dev.smc.spi.InstanceProvider.TransitInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default task store and local transit provider: exact round trips, crash leftovers, locks, restarts. */
class FileTaskStoreTest {
  private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

  @TempDir
  Path tmp;

  static MigrationTask full() {
    TaskSpec spec = TaskSpec.builder().name("db:main_1").description("line one\nline\ttwo \\ ü=x").source("/srv/data dir")
        .imageName("db-img").exclude("/var/cache/").exclude("*.tmp").incremental(Duration.ofHours(6), 3)
        .runMode(RunMode.at(T.plus(Duration.ofHours(1)))).validity(Duration.ofDays(45)).tag("env", "prod")
        .tag("owner", "").transfer(new TransferOptions(1024, 5, true)).clientToken("tok-1")
        .targetDisks(new TargetDisks(40, List.of(new TargetDisks.DataDisk(1, 100)), List.of(
            new TargetDisks.PartitionSize(0, 2, 30), new TargetDisks.PartitionSize(1, 1, 90)), List.of("0_1", "1_2")))
        .network(NetworkMode.privateNetwork("vpc-1", "vsw-2")).build();
    List<CycleRecord> cycles = List.of(
        new CycleRecord(1, RunType.Manual, T, Optional.of(T.plusSeconds(5)), Optional.of(new ImageRef("db-img", 1)),
            1000, 800, CycleRecord.Outcome.Succeeded, Optional.empty(), 1),
        new CycleRecord(2, RunType.Schedule, T.plusSeconds(60), Optional.empty(), Optional.empty(), 10, 5,
            CycleRecord.Outcome.Running, Optional.of("earlier: SOURCE_IO: x\ny"), 3));
    return new MigrationTask(new TaskId("t-abc"), spec, TaskState.Running, Optional.of(BusinessStep.Syncing),
        Optional.of(new Progress(10, 100, true, 9, 6, 5, 2, 1234.5, 1000.25, 512.125, Duration.ofSeconds(3))), cycles, Optional.of(T.plusSeconds(3600)),
        T, T.plus(Duration.ofDays(45)), Optional.empty(), List.of(new ImageRef("db-img", 1)), Optional.of("transit-x"),
        Optional.of(new MigrationTask.Owner(4242, "inst", T.plusSeconds(61))), true, Optional.of("why"));
  }

  @Test
  void everyFieldSurvivesARestart() throws Exception {
    MigrationTask t = full();
    new FileTaskStore(tmp).put(t);
    TaskStore reopened = new FileTaskStore(tmp);
    assertEquals(Optional.of(t), reopened.task(t.id()));
    assertEquals(List.of(t), reopened.tasks());
  }

  @Test
  void progressStoredBeforeTheEstimateAndTheRatesWereKeptReadsAsAnExactTotalWithNoRates() throws Exception {
    MigrationTask t = full();
    new FileTaskStore(tmp).put(t);
    Path file = tmp.resolve("tasks/t-abc.task");
    String stored = Files.readString(file, StandardCharsets.UTF_8);
    String old = stored.lines().filter(l -> !l.matches("progress\\.(totalEstimated|bytesStored|\\w+PerSecond)=.*"))
        .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    assertTrue(old.length() < stored.length(), stored);
    Files.writeString(file, old, StandardCharsets.UTF_8);
    assertEquals(Optional.of(new Progress(10, 100, false, 9, 5, 5, 2, 0, 0, 0, Duration.ofSeconds(3))),
        new FileTaskStore(tmp).task(t.id()).orElseThrow().progress());
  }

  @Test
  void everyRunTypeIsKeptAndTheValuesStoredBeforeRunNowStillRead() throws Exception {
    MigrationTask t = full();
    List<CycleRecord> cycles = new java.util.ArrayList<>(t.cycles());
    CycleRecord first = cycles.get(0);
    cycles.add(0, new CycleRecord(1, RunType.RunNow, T.minusSeconds(60), first.end(), Optional.empty(), 1, 1,
        CycleRecord.Outcome.Interrupted, Optional.of("interrupted"), 1));
    MigrationTask withRunNow = new MigrationTask(t.id(), t.spec(), t.state(), t.step(), t.progress(), cycles,
        t.nextRun(), t.created(), t.expires(), t.deleteAt(), t.pinned(), t.transit(), t.owner(), t.cutover(), t.error());
    new FileTaskStore(tmp).put(withRunNow);
    String stored = Files.readString(tmp.resolve("tasks/t-abc.task"), StandardCharsets.UTF_8);
    assertTrue(stored.contains("cycle.0.type=RunNow") && stored.contains("cycle.1.type=Manual")
        && stored.contains("cycle.2.type=Schedule"), stored);
    assertEquals(List.of(RunType.RunNow, RunType.Manual, RunType.Schedule),
        new FileTaskStore(tmp).task(t.id()).orElseThrow().cycles().stream().map(CycleRecord::type).toList());
    // a store written before RunNow existed holds only Manual and Schedule: it reads as it did
    new FileTaskStore(tmp).put(t);
    assertEquals(List.of(RunType.Manual, RunType.Schedule),
        new FileTaskStore(tmp).task(t.id()).orElseThrow().cycles().stream().map(CycleRecord::type).toList());
  }

  @Test
  void leftoversOfACrashedWriteAreIgnoredAndTheOldVersionStays() throws Exception {
    FileTaskStore s = new FileTaskStore(tmp);
    MigrationTask t = full();
    s.put(t);
    byte[] half = java.util.Arrays.copyOf(Files.readAllBytes(tmp.resolve("tasks/t-abc.task")), 100);
    Files.write(tmp.resolve("tasks/t-abc.task.tmp-1f"), half); // a crash between write and rename
    assertEquals(List.of(t), new FileTaskStore(tmp).tasks());
    Files.write(tmp.resolve("tasks/t-cut.task"), half); // what a non-atomic write could leave: refused, not misread
    IOException e = assertThrows(IOException.class, () -> new FileTaskStore(tmp).tasks());
    assertTrue(e.getMessage().contains("t-cut.task"), e.getMessage());
  }

  @Test
  void logKeepsEventsInOrderAndDropsALineACrashCutShort() throws Exception {
    FileTaskStore s = new FileTaskStore(tmp);
    TaskId id = new TaskId("t-1");
    s.appendLog(id, new LogEntry(T, "state Ready -> Running: cycle 1", "start"));
    s.appendLog(id, new LogEntry(T.plusSeconds(1), "cycle 1 failed\twith\nnewline", "SOURCE_IO: gone"));
    Files.writeString(tmp.resolve("tasks/t-1.log"), T + "\tcut sh", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    List<LogEntry> log = new FileTaskStore(tmp).log(id);
    assertEquals(List.of(new LogEntry(T, "state Ready -> Running: cycle 1", "start"),
        new LogEntry(T.plusSeconds(1), "cycle 1 failed\twith\nnewline", "SOURCE_IO: gone")), log);
    s.remove(id);
    assertEquals(List.of(), s.log(id));
  }

  @Test
  void aTaskLockIsExclusiveAcrossStoresUntilClosed() throws Exception {
    TaskId id = new TaskId("t-lock");
    FileTaskStore a = new FileTaskStore(tmp);
    FileTaskStore b = new FileTaskStore(tmp);
    TaskStore.Lock held = a.tryLock(id).orElseThrow();
    assertTrue(b.tryLock(id).isEmpty());
    assertTrue(a.tryLock(id).isEmpty());
    held.close();
    try (TaskStore.Lock again = b.tryLock(id).orElseThrow()) {
      assertTrue(a.tryLock(id).isEmpty());
    }
  }

  @Test
  void inMemoryStoreBehavesLikeTheFileStore() throws Exception {
    InMemoryTaskStore s = new InMemoryTaskStore();
    MigrationTask t = full();
    s.put(t);
    assertEquals(Optional.of(t), s.task(t.id()));
    TaskStore.Lock l = s.tryLock(t.id()).orElseThrow();
    assertTrue(s.tryLock(t.id()).isEmpty());
    l.close();
    assertTrue(s.tryLock(t.id()).isPresent());
    s.remove(t.id());
    assertEquals(List.of(), s.tasks());
  }

  @Test
  void localTransitsAreTruthfulAfterARestart() throws Exception {
    LocalInstanceProvider p = new LocalInstanceProvider(tmp.resolve("transit"));
    TransitInstance a = p.createTransit(new TaskId("t-a"));
    TransitInstance b = p.createTransit(new TaskId("t-b"));
    LocalInstanceProvider again = new LocalInstanceProvider(tmp.resolve("transit"));
    assertEquals(List.of(a, b).stream().sorted(java.util.Comparator.comparing(TransitInstance::id)).toList(),
        again.transits());
    again.releaseTransit(a);
    again.releaseTransit(a); // releasing a released one is not an error
    assertEquals(List.of(b), p.transits());
    assertTrue(Files.notExists(tmp.resolve("transit").resolve(a.id())));
    p.releaseTransit(b);
    assertEquals(List.of(), new LocalInstanceProvider(tmp.resolve("transit")).transits());
  }
}
