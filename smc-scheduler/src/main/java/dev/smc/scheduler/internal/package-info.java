/**
 * The scheduler's internals: the cycle runner, the journal of task changes, the policies
 * (schedule, retention, expiry, recovery), the task file format, atomic writes and the local cycle
 * engine. No compatibility promise.
 */
@ParametersAreNonnullByDefault
package dev.smc.scheduler.internal;

import javax.annotation.ParametersAreNonnullByDefault;
