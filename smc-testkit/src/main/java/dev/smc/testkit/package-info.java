/**
 * The smc test kit, for smc's own tests and for vendors: contract suites every implementation of
 * an SPI extends ({@link dev.smc.testkit.BackendContract}), and real fakes instead of mocks (a
 * fault-injecting backend, a manual clock, a recording listener).
 */
@ParametersAreNonnullByDefault
package dev.smc.testkit;

import javax.annotation.ParametersAreNonnullByDefault;
