package dev.smc.scheduler.internal;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.scheduler.MigrationTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.annotation.Nullable;

/**
 * The rules across tasks: task and image names are unique, a source has at most one unfinished
 * task; and how a new task's id is picked. Stateless.
 */
public final class TaskRules {
  private TaskRules() {}

  /** Throws {@code ALREADY_EXISTS} if {@code t} already has {@code name} or (when given) {@code imageName}. */
  public static void checkUnique(MigrationTask t, String name, @Nullable String imageName) {
    if (t.name().equals(name)) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, "task name '" + name + "' is taken (task " + t.id() + ")");
    }
    if (imageName != null && t.spec().imageName().equals(imageName)) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, "image name '" + imageName + "' is taken by task '"
          + t.name() + "'");
    }
  }

  /** Throws {@code ALREADY_EXISTS} if a new task for {@code spec} would break a rule against {@code all}. */
  public static void checkNew(List<MigrationTask> all, TaskSpec spec) {
    for (MigrationTask t : all) {
      checkUnique(t, spec.name(), spec.imageName());
      if (unfinished(t.state()) && sameSource(t.spec().source(), spec.source())) {
        throw new SmcException(ErrorCode.ALREADY_EXISTS, "source " + spec.source() + " already has the unfinished task '"
            + t.name() + "' (" + t.state() + "); one unfinished task per source");
      }
    }
  }

  private static boolean unfinished(TaskState s) {
    return s != TaskState.Finished && s != TaskState.Expired;
  }

  private static boolean sameSource(String a, String b) {
    return Path.of(a).toAbsolutePath().normalize().equals(Path.of(b).toAbsolutePath().normalize());
  }

  /** A random id no task in {@code all} has. */
  public static TaskId newId(List<MigrationTask> all) {
    while (true) {
      TaskId id = new TaskId("t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4));
      if (all.stream().noneMatch(t -> t.id().equals(id))) {
        return id;
      }
    }
  }

  /** What a modification changed, for the log. */
  public static String describeChange(TaskSpec a, TaskSpec b) {
    List<String> out = new ArrayList<>();
    if (!a.name().equals(b.name())) {
      out.add("name " + a.name() + " -> " + b.name());
    }
    if (!a.description().equals(b.description())) {
      out.add("description changed");
    }
    if (!a.syncPolicy().equals(b.syncPolicy())) {
      out.add("sync policy " + a.syncPolicy().map(Object::toString).orElse("-") + " -> "
          + b.syncPolicy().map(Object::toString).orElse("-"));
    }
    return out.isEmpty() ? "nothing changed" : String.join(", ", out);
  }
}
