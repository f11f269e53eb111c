/**
 * What a vendor implements to keep tasks elsewhere (a database instead of the default folder):
 * {@link dev.smc.scheduler.spi.TaskStore}. It lives here rather than in {@code dev.smc.spi}
 * because it stores the scheduler's own {@link dev.smc.scheduler.MigrationTask} records.
 */
@ParametersAreNonnullByDefault
package dev.smc.scheduler.spi;

import javax.annotation.ParametersAreNonnullByDefault;
