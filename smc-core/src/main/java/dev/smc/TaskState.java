package dev.smc;

/** The states of a migration task, as in the SMC model. */
public enum TaskState {
  Ready, Running, Stopped, Waiting, InError, Finished, Expired, Deleting
}
