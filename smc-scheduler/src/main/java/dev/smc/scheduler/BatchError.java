package dev.smc.scheduler;

import dev.smc.FieldError;

/**
 * Why one spec of a batch cannot be created: its index in the batch and the field at fault, for
 * example a name taken by a stored task or by an earlier spec of the same batch. Immutable and
 * thread-safe.
 *
 * @param index the spec's position in the list given to {@link Migrations#check} or {@link Migrations#createAll}
 */
public record BatchError(int index, FieldError error) {}
