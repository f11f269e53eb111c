package dev.smc.scheduler;

/** Why a cycle ran: asked for (start, sync, cut over, run now) or due on the task's schedule. */
public enum RunType {
  Manual, Schedule
}
