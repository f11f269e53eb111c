/** Helpers shared by smc modules; no compatibility promise. */
@ParametersAreNonnullByDefault
package dev.smc.internal;

import javax.annotation.ParametersAreNonnullByDefault;
