/** Helpers around sources: consistency hooks that run commands. */
@ParametersAreNonnullByDefault
package dev.smc.transfer.source;

import javax.annotation.ParametersAreNonnullByDefault;
