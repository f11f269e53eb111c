package dev.smc.scheduler;

import static dev.smc.TaskState.Deleting;
import static dev.smc.TaskState.Expired;
import static dev.smc.TaskState.Finished;
import static dev.smc.TaskState.InError;
import static dev.smc.TaskState.Ready;
import static dev.smc.TaskState.Running;
import static dev.smc.TaskState.Stopped;
import static dev.smc.TaskState.Waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.InvalidStateException;
import dev.smc.NotFoundException;
import dev.smc.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every action from every state, allowed and refused, against the table of smc-model.md written out again here. */
class ActionTableTest {
  /** smc-model.md, "Actions and where they are allowed", copied by hand (not from {@link Action}). */
  private static final Map<Action, EnumSet<TaskState>> MODEL = new EnumMap<>(Action.class);

  static {
    MODEL.put(Action.START, EnumSet.of(Ready, Stopped, InError));
    MODEL.put(Action.PAUSE, EnumSet.of(Running, Waiting));
    MODEL.put(Action.SCHEDULED_TIME, EnumSet.of(Ready));
    MODEL.put(Action.INTERVAL, EnumSet.of(Waiting));
    MODEL.put(Action.SYNC, EnumSet.of(Waiting));
    MODEL.put(Action.CUTOVER, EnumSet.of(Waiting));
    MODEL.put(Action.CYCLE_SUCCEEDS, EnumSet.of(Running));
    MODEL.put(Action.CYCLE_FAILS, EnumSet.of(Running));
    MODEL.put(Action.VALIDITY_ENDS, EnumSet.of(Ready, Stopped, InError));
    MODEL.put(Action.MODIFY_NAME, EnumSet.allOf(TaskState.class));
    MODEL.put(Action.MODIFY_POLICY, EnumSet.of(Ready, Waiting));
    MODEL.put(Action.DELETE, EnumSet.of(Ready, Stopped, Waiting, InError, Finished, Expired, Deleting));
  }

  @TempDir
  Path tmp;

  static Stream<Arguments> everyActionFromEveryState() {
    List<Arguments> out = new ArrayList<>();
    for (Action a : Action.values()) {
      for (TaskState s : TaskState.values()) {
        out.add(Arguments.of(a, s));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("everyActionFromEveryState")
  void tableAllowsExactlyWhatTheModelAllows(Action a, TaskState s) {
    assertEquals(MODEL.get(a).contains(s), a.allowedFrom(s));
    if (MODEL.get(a).contains(s)) {
      for (boolean incremental : new boolean[] {false, true}) {
        for (boolean last : new boolean[] {false, true}) {
          assertEquals(expected(a, s, incremental, last), a.next("web-1", s, incremental, last),
              a + " from " + s + " incremental=" + incremental + " last=" + last);
        }
      }
    } else {
      InvalidStateException e = assertThrows(InvalidStateException.class, () -> a.next("web-1", s, true, false));
      assertRefusal(e, "web-1", a.verb(), s);
    }
  }

  /**
   * The model's "result" column as data: per action, the state reached for (one-time, not last),
   * (one-time, last), (incremental, not last), (incremental, last); null means "the same state".
   * For CUTOVER "last" means a final cycle runs; for CYCLE_SUCCEEDS that it was that final cycle.
   */
  private static final Map<Action, TaskState[]> RESULT = Map.ofEntries(
      Map.entry(Action.START, new TaskState[] {Running, Running, Running, Running}),
      Map.entry(Action.SCHEDULED_TIME, new TaskState[] {Running, Running, Running, Running}),
      Map.entry(Action.INTERVAL, new TaskState[] {Running, Running, Running, Running}),
      Map.entry(Action.SYNC, new TaskState[] {Running, Running, Running, Running}),
      Map.entry(Action.PAUSE, new TaskState[] {Stopped, Stopped, Stopped, Stopped}),
      Map.entry(Action.CUTOVER, new TaskState[] {Finished, Running, Finished, Running}),
      Map.entry(Action.CYCLE_SUCCEEDS, new TaskState[] {Finished, Finished, Waiting, Finished}),
      Map.entry(Action.CYCLE_FAILS, new TaskState[] {InError, InError, InError, InError}),
      Map.entry(Action.VALIDITY_ENDS, new TaskState[] {Expired, Expired, Expired, Expired}),
      Map.entry(Action.MODIFY_NAME, new TaskState[] {null, null, null, null}),
      Map.entry(Action.MODIFY_POLICY, new TaskState[] {null, null, null, null}),
      Map.entry(Action.DELETE, new TaskState[] {Deleting, Deleting, Deleting, Deleting}));

  private static TaskState expected(Action a, TaskState s, boolean incremental, boolean last) {
    TaskState r = RESULT.get(a)[(incremental ? 2 : 0) + (last ? 1 : 0)];
    return r == null ? s : r;
  }

  private static void assertRefusal(InvalidStateException e, String task, String verb, TaskState s) {
    String m = e.getMessage();
    assertTrue(m.contains("'" + task + "'") && m.contains(verb) && m.endsWith(" " + s), m);
  }

  /** The actions a user takes through the API. */
  enum UserAction {
    START(Action.START), PAUSE(Action.PAUSE), SYNC(Action.SYNC), CUTOVER(Action.CUTOVER),
    CUTOVER_WITH_SYNC(Action.CUTOVER), RENAME(Action.MODIFY_NAME), MODIFY_POLICY(Action.MODIFY_POLICY),
    DELETE(Action.DELETE);

    final Action action;

    UserAction(Action action) {
      this.action = action;
    }
  }

  static Stream<Arguments> everyUserActionFromEveryReachableState() {
    List<Arguments> out = new ArrayList<>();
    for (UserAction a : UserAction.values()) {
      for (TaskState s : EnumSet.complementOf(EnumSet.of(Deleting))) {
        out.add(Arguments.of(a, s));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("everyUserActionFromEveryReachableState")
  void apiAllowsOrRefusesEveryActionFromEveryState(UserAction a, TaskState s) throws Exception {
    try (Fixture f = new Fixture(tmp)) {
      Migrations m = f.open();
      MigrationTask t = reach(f, m, s);
      assertEquals(s, t.state());
      int cyclesBefore = t.cycles().size();
      if (!MODEL.get(a.action).contains(s)) {
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> perform(m, a));
        assertRefusal(e, "web-1", a.action.verb(), s);
        assertEquals(s, m.task("web-1").state(), "a refused action changes nothing");
        assertEquals(cyclesBefore, m.task("web-1").cycles().size());
      } else {
        perform(m, a);
        f.engine.open(); // a Running task's cycle may end now
        Optional<MigrationTask> after = m.tasks().stream().findFirst();
        if (a == UserAction.DELETE) {
          assertTrue(after.isEmpty());
          assertThrows(NotFoundException.class, () -> m.task("web-1"));
        } else {
          MigrationTask done = m.awaitCycle(after.orElseThrow().name(), Duration.ofSeconds(20));
          assertEquals(expectedAfter(a, s), done.state(), a + " from " + s);
          int added = a == UserAction.SYNC || a == UserAction.CUTOVER_WITH_SYNC || (a == UserAction.START && (s == Ready || s == Stopped))
              ? 1 : 0; // from InError the failed cycle is re-run, keeping its number
          assertEquals(cyclesBefore + added, done.cycles().size());
          if (a == UserAction.RENAME) {
            assertEquals("web-renamed", done.name());
          }
          if (a == UserAction.MODIFY_POLICY) {
            assertEquals(5, done.spec().syncPolicy().orElseThrow().maxImages());
          }
        }
      }
      f.engine.open();
      assertTrue(m.awaitIdle(Duration.ofSeconds(20)));
      // the provider tells the truth about the task's transit: kept while the model keeps it, never leaked
      List<MigrationTask> left = m.tasks();
      List<String> held = left.stream().flatMap(x -> x.transit().stream()).toList();
      assertEquals(held, f.transitIds());
      for (MigrationTask x : left) {
        if (x.state() == Finished || x.state() == Expired) {
          assertTrue(x.transit().isEmpty(), x.state() + " releases the transit");
        }
        if (x.state() == Waiting || x.state() == InError) {
          assertTrue(x.transit().isPresent(), x.state() + " keeps the transit");
        }
        m.delete(x.name());
      }
      f.assertNoTransit();
    }
  }

  private static TaskState expectedAfter(UserAction a, TaskState s) {
    return switch (a) {
      case START, SYNC -> Waiting; // the cycle ran and succeeded
      case PAUSE -> Stopped;
      case CUTOVER, CUTOVER_WITH_SYNC -> Finished;
      case RENAME, MODIFY_POLICY -> s == Running ? Waiting : s; // a running cycle ends once the gate opens
      case DELETE -> throw new AssertionError();
    };
  }

  private static void perform(Migrations m, UserAction a) throws Exception {
    switch (a) {
      case START -> m.start("web-1");
      case PAUSE -> m.pause("web-1");
      case SYNC -> m.sync("web-1");
      case CUTOVER -> m.cutover("web-1", false);
      case CUTOVER_WITH_SYNC -> m.cutover("web-1", true);
      case RENAME -> m.modify("web-1", Modification.builder().name("web-renamed").build());
      case MODIFY_POLICY -> m.modify("web-1", Modification.builder().maxImages(5).build());
      case DELETE -> m.delete("web-1");
    }
  }

  /** Brings a new incremental task to {@code s} through the API alone. */
  static MigrationTask reach(Fixture f, Migrations m, TaskState s) throws Exception {
    m.create(f.incremental("web-1", f.source()).build());
    Duration wait = Duration.ofSeconds(20);
    switch (s) {
      case Ready -> {}
      case Running -> {
        f.engine.close();
        m.start("web-1");
        f.engine.awaitEntered(1);
      }
      case Waiting, Stopped, Finished -> {
        m.start("web-1");
        assertEquals(Waiting, m.awaitCycle("web-1", wait).state());
        if (s == Stopped) {
          m.pause("web-1");
        } else if (s == Finished) {
          m.cutover("web-1", false);
        }
      }
      case InError -> {
        f.engine.failNext.set(1);
        m.start("web-1");
        assertEquals(InError, m.awaitCycle("web-1", wait).state());
      }
      case Expired -> {
        f.clock.advance(Duration.ofDays(31));
        m.tick();
      }
      default -> throw new AssertionError(s);
    }
    MigrationTask t = m.task("web-1");
    if (s == Running) {
      assertEquals(Optional.of(dev.smc.BusinessStep.Syncing), t.step());
    }
    assertFalse(t.name().isEmpty());
    return t;
  }
}
