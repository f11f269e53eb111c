/**
 * The API an embedding program uses: task and transfer specs, policies, states, progress events,
 * cycle reports and errors. Vendors implement {@link dev.smc.spi}; everything else is internal.
 */
@ParametersAreNonnullByDefault
package dev.smc;

import javax.annotation.ParametersAreNonnullByDefault;
