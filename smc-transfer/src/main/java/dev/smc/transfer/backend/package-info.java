/** Backends: where repository objects are stored (a local folder, memory). */
@ParametersAreNonnullByDefault
package dev.smc.transfer.backend;

import javax.annotation.ParametersAreNonnullByDefault;
