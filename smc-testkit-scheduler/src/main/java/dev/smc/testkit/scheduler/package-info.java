/**
 * The test kit of the scheduler's SPI, for smc's own stores and for vendors: the contract suite
 * every {@link dev.smc.scheduler.spi.TaskStore} extends ({@link dev.smc.testkit.scheduler.TaskStoreContract})
 * and the tasks it stores ({@link dev.smc.testkit.scheduler.SampleTasks}). The suites of the core
 * SPIs are in {@code smc-testkit}; this one is apart because smc-scheduler's own tests use
 * {@code smc-testkit}, which therefore cannot depend on smc-scheduler.
 */
@ParametersAreNonnullByDefault
package dev.smc.testkit.scheduler;

import javax.annotation.ParametersAreNonnullByDefault;
