/** The {@code smc} command-line tool: an example of embedding smc through its public API. */
@ParametersAreNonnullByDefault
package dev.smc.examples.cli;

import javax.annotation.ParametersAreNonnullByDefault;
