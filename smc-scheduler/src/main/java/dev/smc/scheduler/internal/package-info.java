/** The scheduler's internals: the task file format, atomic writes, the local cycle engine. No compatibility promise. */
@ParametersAreNonnullByDefault
package dev.smc.scheduler.internal;

import javax.annotation.ParametersAreNonnullByDefault;
