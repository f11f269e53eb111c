/**
 * The task lifecycle of an embedding program: {@link dev.smc.scheduler.Migrations} creates, starts,
 * pauses, synchronises, cuts over, modifies and deletes migration tasks, runs their cycles on a
 * schedule with an injected clock, keeps the newest images and persists every task in a
 * {@link dev.smc.scheduler.spi.TaskStore}.
 */
@ParametersAreNonnullByDefault
package dev.smc.scheduler;

import javax.annotation.ParametersAreNonnullByDefault;
