package dev.smc;

import dev.smc.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Everything a migration task is created with. Immutable and thread-safe; build it with
 * {@link #builder()}, whose {@link Builder#build()} reports every invalid field at once.
 *
 * @param source where the source is: a mounted directory tree, or a raw disk (file or block device)
 * @param syncPolicy automatic incremental synchronisation, or empty for a one-time task
 * @param targetDisks the target's disks, or empty for sizes derived from the source
 * @param snapshotCommands shell commands run around each cycle's read of the source
 */
public record TaskSpec(
    String name,
    String description,
    String source,
    String imageName,
    List<String> excludes,
    Optional<SyncPolicy> syncPolicy,
    RunMode runMode,
    Duration validity,
    List<Tag> tags,
    TransferOptions transfer,
    Optional<String> clientToken,
    TargetType targetType,
    Optional<TargetDisks> targetDisks,
    NetworkMode network,
    SnapshotCommands snapshotCommands) {

  public static final Duration MIN_VALIDITY = Duration.ofDays(7);
  public static final Duration MAX_VALIDITY = Duration.ofDays(90);
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
  public static final Duration MIN_SCHEDULE_AHEAD = Duration.ofMinutes(10);
  public static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);
  public static final int MAX_TAGS = 20;
  public static final int MAX_DESCRIPTION = 256;
  public static final int MAX_CLIENT_TOKEN = 64;

  public TaskSpec {
    excludes = List.copyOf(excludes);
    tags = List.copyOf(tags);
    java.util.Objects.requireNonNull(targetType, "targetType");
    java.util.Objects.requireNonNull(network, "network");
    java.util.Objects.requireNonNull(snapshotCommands, "snapshotCommands");
    Checks c = new Checks();
    // a spec read back from a store is checked with the rules it was created under, so that a task
    // made before the image name alphabet became ASCII-only, or before excludes were checked here,
    // can still be listed and deleted; every new spec comes through Builder.build(), which is strict
    validate(c, name, description, source, imageName, syncPolicy, validity, tags, clientToken, false);
    checkCommands(c, snapshotCommands);
    c.throwIfAny();
  }

  private static void checkCommands(Checks c, SnapshotCommands commands) {
    SnapshotCommands.problem(commands.preSnapshot()).ifPresent(a -> c.add("preSnapshot", commands.preSnapshot()
        .map(SnapshotCommands::shown).orElse(null), a));
    SnapshotCommands.problem(commands.postSnapshot()).ifPresent(a -> c.add("postSnapshot", commands.postSnapshot()
        .map(SnapshotCommands::shown).orElse(null), a));
  }

  private static void validate(Checks c, @Nullable String name, @Nullable String description,
      @Nullable String source, @Nullable String imageName, Optional<SyncPolicy> syncPolicy,
      @Nullable Duration validity, List<Tag> tags, Optional<String> clientToken, boolean strict) {
    c.name("name", name);
    c.maxLength("description", description, MAX_DESCRIPTION);
    if (source == null || source.isBlank()) {
      c.add("source", source, "a directory, disk image file or block device path");
    }
    if (strict) {
      c.imageName("imageName", imageName);
    } else if (imageName == null || imageName.length() > 128 || !Checks.IMAGE_NAME.matcher(imageName).matches()) {
      c.name("imageName", imageName); // stored before image names were ASCII: readable as they were
    }
    c.range("validity", validity, MIN_VALIDITY, MAX_VALIDITY, "allowed 7d..90d");
    if (tags.size() > MAX_TAGS) {
      c.add("tags", tags.size() + " tags", "at most " + MAX_TAGS + " tags");
    }
    clientToken.ifPresent(t -> {
      if (t.isEmpty() || t.length() > MAX_CLIENT_TOKEN || !t.chars().allMatch(ch -> ch >= 0x21 && ch < 0x7f)) {
        c.add("clientToken", t, "1-64 printable ASCII characters");
      }
    });
  }

  /** Whether cycles repeat on an interval. */
  public boolean incremental() {
    return syncPolicy.isPresent();
  }

  /** The error of a scheduled run time that is not 10 minutes to 30 days after {@code now}; empty when it is. */
  public List<FieldError> runTimeErrors(Instant now) {
    Checks c = new Checks();
    checkRunTime(c, runMode, now);
    return c.errors();
  }

  private static void checkRunTime(Checks c, @Nullable RunMode runMode, Instant now) {
    if (runMode instanceof RunMode.At at) {
      Duration ahead = Duration.between(now, at.when());
      if (ahead.compareTo(MIN_SCHEDULE_AHEAD) < 0 || ahead.compareTo(MAX_SCHEDULE_AHEAD) > 0) {
        c.add("runMode", runMode.toString(), "a time 10 minutes to 30 days after now (" + now + ")");
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder().name(name).description(description).source(source).imageName(imageName)
        .excludes(excludes).runMode(runMode).validity(validity).tags(tags).transfer(transfer)
        .targetType(targetType).network(network).snapshotCommands(snapshotCommands);
    targetDisks.ifPresent(b::targetDisks);
    syncPolicy.ifPresent(p -> b.incremental(p.interval(), p.maxImages()));
    clientToken.ifPresent(b::clientToken);
    return b;
  }

  /** Collects a spec's fields; not thread-safe. */
  public static final class Builder {
    private String name;
    private String description = "";
    private String source;
    private String imageName;
    private final List<String> excludes = new ArrayList<>();
    private boolean incremental;
    private Duration interval;
    private Integer maxImages;
    private RunMode runMode = RunMode.now();
    private Duration validity = DEFAULT_VALIDITY;
    private final List<Tag> tags = new ArrayList<>();
    private final List<String[]> rawTags = new ArrayList<>();
    private TransferOptions transfer = TransferOptions.DEFAULTS;
    private String clientToken;
    private Instant now;
    private TargetType targetType = TargetType.CLOUD_IMAGE;
    private TargetDisks targetDisks;
    private NetworkMode network = NetworkMode.publicNetwork();
    private SnapshotCommands snapshotCommands = SnapshotCommands.NONE;

    public Builder targetType(TargetType type) {
      this.targetType = type;
      return this;
    }

    public Builder targetDisks(@Nullable TargetDisks disks) {
      this.targetDisks = disks;
      return this;
    }

    public Builder network(NetworkMode network) {
      this.network = network;
      return this;
    }

    /** Shell commands run around each cycle's read of the source; {@link SnapshotCommands#NONE} by default. */
    public Builder snapshotCommands(SnapshotCommands commands) {
      this.snapshotCommands = commands;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder imageName(String imageName) {
      this.imageName = imageName;
      return this;
    }

    public Builder exclude(String pattern) {
      this.excludes.add(pattern);
      return this;
    }

    public Builder excludes(List<String> patterns) {
      this.excludes.clear();
      this.excludes.addAll(patterns);
      return this;
    }

    /** Turns automatic incremental synchronisation on; both values are required. */
    public Builder incremental(@Nullable Duration interval, @Nullable Integer maxImages) {
      this.incremental = true;
      this.interval = interval;
      this.maxImages = maxImages;
      return this;
    }

    public Builder oneTime() {
      this.incremental = false;
      this.interval = null;
      this.maxImages = null;
      return this;
    }

    public Builder runMode(RunMode runMode) {
      this.runMode = runMode;
      return this;
    }

    public Builder validity(Duration validity) {
      this.validity = validity;
      return this;
    }

    public Builder tag(String key, String value) {
      this.rawTags.add(new String[] {key, value});
      return this;
    }

    public Builder tags(List<Tag> tags) {
      this.rawTags.clear();
      tags.forEach(t -> rawTags.add(new String[] {t.key(), t.value()}));
      return this;
    }

    public Builder transfer(TransferOptions transfer) {
      this.transfer = transfer;
      return this;
    }

    public Builder clientToken(@Nullable String clientToken) {
      this.clientToken = clientToken;
      return this;
    }

    /** Also checks a scheduled run time against {@code now}. */
    public Builder now(Instant now) {
      this.now = now;
      return this;
    }

    /** Builds the spec or throws {@link InvalidSpecException} naming every invalid field. */
    public TaskSpec build() {
      Checks c = new Checks();
      tags.clear();
      for (int i = 0; i < rawTags.size(); i++) {
        String[] kv = rawTags.get(i);
        Checks one = new Checks();
        Tag.validate(one, "tags[" + i + "]", kv[0], kv[1]);
        one.errors().forEach(e -> c.add(e.field(), e.value(), e.allowed()));
        if (one.ok()) {
          tags.add(new Tag(kv[0], kv[1]));
        }
      }
      Optional<SyncPolicy> policy = Optional.empty();
      if (incremental) {
        if (interval == null) {
          c.add("interval", null, "required with incremental sync: 1h..168h");
        }
        if (maxImages == null) {
          c.add("maxImages", null, "required with incremental sync: 1..10");
        }
        if (interval != null && maxImages != null) {
          Checks p = new Checks();
          SyncPolicy.validate(p, interval, maxImages);
          p.errors().forEach(e -> c.add(e.field(), e.value(), e.allowed()));
          if (p.ok()) {
            policy = Optional.of(new SyncPolicy(interval, maxImages));
          }
        }
      }
      if (runMode == null) {
        c.add("runMode", null, "now, at:<time> or create-only");
      }
      if (targetType == null) {
        c.add("targetType", null, "CLOUD_IMAGE or CONTAINER_IMAGE");
      }
      if (network == null) {
        c.add("network", null, "public, or private with a VPC and vSwitch");
      }
      if (rawTags.size() > MAX_TAGS) {
        c.add("tags", rawTags.size() + " tags", "at most " + MAX_TAGS + " tags");
      }
      validate(c, name, description, source, imageName, policy, validity, List.of(), Optional.ofNullable(clientToken),
          true);
      ExcludePattern.check(c, "excludes", excludes);
      if (snapshotCommands == null) {
        c.add("snapshotCommands", null, "SnapshotCommands.NONE or the commands");
      } else {
        checkCommands(c, snapshotCommands);
      }
      if (now != null) {
        checkRunTime(c, runMode, now);
      }
      c.throwIfAny();
      return new TaskSpec(name, description == null ? "" : description, source, imageName, excludes, policy,
          runMode, validity, tags, transfer, Optional.ofNullable(clientToken), targetType,
          Optional.ofNullable(targetDisks), network, snapshotCommands);
    }
  }
}
