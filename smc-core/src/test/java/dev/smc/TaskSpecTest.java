package dev.smc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.spi.SourceDescription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TaskSpecTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  private static TaskSpec.Builder valid() {
    return TaskSpec.builder().name("web-01").source("/srv/web").imageName("web01");
  }

  private static Set<String> fields(InvalidSpecException e) {
    return e.errors().stream().map(FieldError::field).collect(Collectors.toSet());
  }

  @Test
  void validSpecKeepsDefaultsOfTheModel() {
    TaskSpec s = valid().build();
    assertEquals(Duration.ofDays(30), s.validity());
    assertEquals(RunMode.now(), s.runMode());
    assertFalse(s.incremental());
    assertEquals(TransferOptions.DEFAULTS, s.transfer());
    assertEquals(0, s.transfer().bandwidthLimitKBps());
    assertEquals(0, s.transfer().compressionLevel());
    assertEquals(TargetType.CLOUD_IMAGE, s.targetType());
  }

  @Test
  void reportsEveryBadFieldAtOnceWithValueAndAllowedRange() {
    TaskSpec.Builder b = TaskSpec.builder().name("1bad").source("").imageName("http://x")
        .incremental(Duration.ZERO, 11).validity(Duration.ofDays(91)).description("d".repeat(257))
        .clientToken("x".repeat(65)).runMode(RunMode.at(NOW.plus(Duration.ofMinutes(5)))).now(NOW);
    for (int i = 0; i < 21; i++) {
      b.tag("k" + i, "v");
    }
    InvalidSpecException e = assertThrows(InvalidSpecException.class, b::build);
    assertEquals(Set.of("name", "source", "imageName", "interval", "maxImages", "validity", "description",
        "clientToken", "tags", "runMode"), fields(e));
    FieldError max = e.errors().stream().filter(f -> f.field().equals("maxImages")).findFirst().orElseThrow();
    assertEquals("11", max.value());
    assertTrue(max.allowed().contains("1..10"), max.allowed());
    FieldError interval = e.errors().stream().filter(f -> f.field().equals("interval")).findFirst().orElseThrow();
    assertTrue(interval.allowed().contains("1h..168h"), interval.allowed());
    assertTrue(e.getMessage().contains("maxImages = '11'"), e.getMessage());
  }

  @Test
  void incrementalNeedsBothIntervalAndMaxImages() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> valid().incremental(null, null).build());
    assertEquals(Set.of("interval", "maxImages"), fields(e));
    TaskSpec ok = valid().incremental(Duration.ofHours(168), 1).build();
    assertEquals(new SyncPolicy(Duration.ofHours(168), 1), ok.syncPolicy().orElseThrow());
  }

  @Test
  void scheduledTimeMustBeTenMinutesToThirtyDaysAhead() {
    assertThrows(InvalidSpecException.class,
        () -> valid().runMode(RunMode.at(NOW.plus(Duration.ofMinutes(9)))).now(NOW).build());
    assertThrows(InvalidSpecException.class,
        () -> valid().runMode(RunMode.at(NOW.plus(Duration.ofDays(31)))).now(NOW).build());
    valid().runMode(RunMode.at(NOW.plus(Duration.ofMinutes(10)))).now(NOW).build();
    valid().runMode(RunMode.at(NOW.plus(Duration.ofDays(30)))).now(NOW).build();
  }

  @Test
  void tagsFollowTheModelsRules() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> valid().tag("aliyun-x", "v").tag("", "v").tag("ok", "v".repeat(129)).build());
    assertEquals(Set.of("tags[0].key", "tags[1].key", "tags[2].value"), fields(e));
    assertEquals(20, valid().tags(java.util.stream.IntStream.range(0, 20)
        .mapToObj(i -> new Tag("k" + i, "")).toList()).build().tags().size());
  }

  @Test
  void namesAllowLettersDigitsColonUnderscoreDash() {
    valid().name("Ab:_-9").imageName("z" + "a".repeat(127)).build();
    assertEquals(Set.of("imageName"), fields(assertThrows(InvalidSpecException.class,
        () -> valid().imageName("a".repeat(129)).build())));
    assertEquals(Set.of("name"), fields(assertThrows(InvalidSpecException.class,
        () -> valid().name("a b").build())));
  }

  @Test
  void transferOptionsCheckTheirRanges() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> TransferOptions.builder().compressionLevel(11).bandwidthLimitKBps(-1).build());
    assertEquals(Set.of("compressionLevel", "bandwidthLimitKBps"), fields(e));
    assertTrue(TransferOptions.builder().bandwidthLimitKBps(2048).build().limited());
  }

  @Test
  void targetDisksCheckSizesAndUsedSpace() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> new TargetDisks(19, List.of(new TargetDisks.DataDisk(17, 10), new TargetDisks.DataDisk(1, 32769))));
    assertEquals(Set.of("systemDiskGiB", "dataDisks[17].index", "dataDisks[17].sizeGiB", "dataDisks[1].sizeGiB"),
        fields(e));
    SourceDescription src = new SourceDescription(SourceDescription.OsType.LINUX, "h", List.of(
        new SourceDescription.Disk(0, "vda", 500L << 30, 100L << 30, SourceDescription.TableType.NONE, "", List.of(),
            Optional.empty()),
        new SourceDescription.Disk(1, "vdb", 200L << 30, 50L << 30, SourceDescription.TableType.NONE, "", List.of(),
            Optional.empty())));
    new TargetDisks(101, List.of(new TargetDisks.DataDisk(1, 51))).validateAgainst(src);
    InvalidSpecException small = assertThrows(InvalidSpecException.class,
        () -> new TargetDisks(100, List.of(new TargetDisks.DataDisk(1, 50), new TargetDisks.DataDisk(2, 20)))
            .validateAgainst(src));
    assertEquals(Set.of("systemDiskGiB", "dataDisks[1].sizeGiB", "dataDisks[2].index"), fields(small));
    assertEquals(Optional.empty(), TargetDisks.defaultFor(src).dataDisk(1));
  }

  @Test
  void privateNetworkNeedsVpcAndVSwitch() {
    assertEquals(Set.of("vpcId", "vSwitchId"), fields(assertThrows(InvalidSpecException.class,
        () -> NetworkMode.privateNetwork("", null))));
  }

  @Test
  void imageRefsParseAndPrintTheCycleForm() {
    ImageRef r = ImageRef.parse("image", "web01-CYCLE_12");
    assertEquals(new ImageRef("web01", 12), r);
    assertEquals("web01-CYCLE_12", r.toString());
    assertThrows(InvalidSpecException.class, () -> ImageRef.parse("image", "web01-CYCLE_0"));
    assertThrows(InvalidSpecException.class, () -> ImageRef.parse("image", "web01"));
  }

  @Test
  void progressComputesPercentAndEta() {
    Progress p = new Progress(50, 200, 50, 10, 3, 25, Duration.ofSeconds(2));
    assertEquals(25.0, p.percent());
    assertEquals(Duration.ofSeconds(6), p.eta().orElseThrow());
    assertEquals(-1, new Progress(5, -1, 5, 0, 1, 1, Duration.ZERO).percent());
  }
}
