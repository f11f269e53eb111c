/** Internals of the data path; no compatibility promise. */
@ParametersAreNonnullByDefault
package dev.smc.transfer.internal;

import javax.annotation.ParametersAreNonnullByDefault;
