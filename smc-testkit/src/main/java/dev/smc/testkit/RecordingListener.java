package dev.smc.testkit;

import dev.smc.CycleReport;
import dev.smc.CycleType;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link MigrationListener} that records every event in the order the engine reported them, for
 * assertions. Thread-safe: engines call listeners on their own threads.
 */
public final class RecordingListener implements MigrationListener {

  /** One recorded event. */
  public sealed interface Event permits StateChanged, CycleStarted, ProgressReported, CycleFinished, CycleFailed {
    TaskId task();
  }

  public record StateChanged(TaskId task, TaskState from, TaskState to) implements Event {}

  public record CycleStarted(TaskId task, int cycle, CycleType type) implements Event {}

  public record ProgressReported(TaskId task, Progress progress) implements Event {}

  public record CycleFinished(TaskId task, int cycle, CycleReport report) implements Event {}

  public record CycleFailed(TaskId task, int cycle, SmcException cause) implements Event {}

  private final List<Event> events = new ArrayList<>();

  @Override
  public void stateChanged(TaskId task, TaskState from, TaskState to) {
    record(new StateChanged(task, from, to));
  }

  @Override
  public void cycleStarted(TaskId task, int cycle, CycleType type) {
    record(new CycleStarted(task, cycle, type));
  }

  @Override
  public void progress(TaskId task, Progress progress) {
    record(new ProgressReported(task, progress));
  }

  @Override
  public void cycleFinished(TaskId task, int cycle, CycleReport report) {
    record(new CycleFinished(task, cycle, report));
  }

  @Override
  public void cycleFailed(TaskId task, int cycle, SmcException cause) {
    record(new CycleFailed(task, cycle, cause));
  }

  private synchronized void record(Event e) {
    events.add(e);
  }

  /** A copy of every event so far, oldest first. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** A copy of the events of one type so far, oldest first. */
  public synchronized <T extends Event> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Event e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  public synchronized void clear() {
    events.clear();
  }

  /**
   * Checks the listener contract on what was recorded: every {@code cycleStarted} is followed by
   * exactly one {@code cycleFinished} or {@code cycleFailed} of the same task and cycle, and no cycle
   * ends that did not start. Returns the violations, empty when there are none.
   */
  public synchronized List<String> cycleContractViolations() {
    List<String> out = new ArrayList<>();
    Map<String, Integer> open = new HashMap<>();
    for (Event e : events) {
      if (e instanceof CycleStarted s) {
        if (open.merge(s.task() + "#" + s.cycle(), 1, Integer::sum) > 1) {
          out.add("cycle " + s.cycle() + " of " + s.task() + " started twice without ending");
        }
      } else if (e instanceof CycleFinished f) {
        end(open, f.task(), f.cycle(), "finished", out);
      } else if (e instanceof CycleFailed f) {
        end(open, f.task(), f.cycle(), "failed", out);
      }
    }
    open.forEach((k, n) -> out.add("cycle " + k + " started but never finished or failed"));
    return out;
  }

  private static void end(Map<String, Integer> open, TaskId task, int cycle, String how, List<String> out) {
    String key = task + "#" + cycle;
    Integer n = open.remove(key);
    if (n == null) {
      out.add("cycle " + cycle + " of " + task + " " + how + " without having started (or ended twice)");
    } else if (n > 1) {
      open.put(key, n - 1);
    }
  }
}
