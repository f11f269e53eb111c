package dev.smc.scheduler;

/**
 * Why a cycle ran. A resumed cycle keeps the run type it started with. Immutable.
 *
 * <ul>
 *   <li>{@link #Manual}: asked for by an action on the task ({@code start}, {@code sync}, {@code cutover}).
 *   <li>{@link #Schedule}: due on the task's schedule (its run-at time, or its interval).
 *   <li>{@link #RunNow}: the first cycle of a task created with run mode now, started by its creation.
 * </ul>
 */
public enum RunType {
  Manual, Schedule, RunNow
}
