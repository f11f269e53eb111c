package dev.smc.scheduler.internal;

import dev.smc.ErrorCode;
import dev.smc.FieldError;
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
    List<FieldError> c = conflicts(all, List.of(), spec);
    if (!c.isEmpty()) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, c.get(0).allowed());
    }
  }

  /**
   * Every rule a new task for {@code spec} would break against the stored tasks {@code all} and the
   * specs {@code earlier} of the same batch (created with it, so unfinished): its name, image name
   * or client token taken, its source with an unfinished task. Each error's field is the spec's
   * ({@code name}, {@code imageName}, {@code clientToken}, {@code source}), its text says by what.
   * (A lone create never gets here with a taken client token: it returns the task created with it.)
   */
  public static List<FieldError> conflicts(List<MigrationTask> all, List<TaskSpec> earlier, TaskSpec spec) {
    List<FieldError> out = new ArrayList<>();
    for (MigrationTask t : all) {
      if (t.name().equals(spec.name())) {
        out.add(new FieldError("name", spec.name(), "task name '" + spec.name() + "' is taken (task " + t.id() + ")"));
      }
      if (t.spec().imageName().equals(spec.imageName())) {
        out.add(new FieldError("imageName", spec.imageName(), "image name '" + spec.imageName()
            + "' is taken by task '" + t.name() + "'"));
      }
      if (unfinished(t.state()) && sameSource(t.spec().source(), spec.source())) {
        out.add(new FieldError("source", spec.source(), "source " + spec.source() + " already has the unfinished task '"
            + t.name() + "' (" + t.state() + "); one unfinished task per source"));
      }
      if (spec.clientToken().isPresent() && t.spec().clientToken().equals(spec.clientToken())) {
        out.add(new FieldError("clientToken", spec.clientToken().get(), "client token is taken by task '"
            + t.name() + "'"));
      }
    }
    for (int i = 0; i < earlier.size(); i++) {
      TaskSpec e = earlier.get(i);
      String by = " by entry " + (i + 1) + " of this batch ('" + e.name() + "')";
      if (e.name().equals(spec.name())) {
        out.add(new FieldError("name", spec.name(), "task name '" + spec.name() + "' is taken" + by));
      }
      if (e.imageName().equals(spec.imageName())) {
        out.add(new FieldError("imageName", spec.imageName(), "image name '" + spec.imageName() + "' is taken" + by));
      }
      if (sameSource(e.source(), spec.source())) {
        out.add(new FieldError("source", spec.source(), "source " + spec.source() + " already has a task" + by
            + "; one unfinished task per source"));
      }
      if (spec.clientToken().isPresent() && e.clientToken().equals(spec.clientToken())) {
        out.add(new FieldError("clientToken", spec.clientToken().get(), "client token is taken" + by));
      }
    }
    return out;
  }

  private static boolean unfinished(TaskState s) {
    return s != TaskState.Finished && s != TaskState.Expired;
  }

  /** Whether two sources overlap: the same path, or a server's disk list sharing a disk with the other. */
  private static boolean sameSource(String a, String b) {
    List<Path> da = dev.smc.transfer.source.SourceLocator.disks(a).orElse(List.of(Path.of(a)));
    List<Path> db = dev.smc.transfer.source.SourceLocator.disks(b).orElse(List.of(Path.of(b)));
    for (Path x : da) {
      for (Path y : db) {
        if (x.toAbsolutePath().normalize().equals(y.toAbsolutePath().normalize())) {
          return true;
        }
      }
    }
    return false;
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
