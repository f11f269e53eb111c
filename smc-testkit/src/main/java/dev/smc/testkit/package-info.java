/**
 * The smc test kit, for smc's own tests and for vendors: contract suites every implementation of
 * an SPI extends ({@link dev.smc.testkit.BackendContract}, {@link dev.smc.testkit.ImageStoreContract},
 * {@link dev.smc.testkit.MigrationSourceContract}, {@link dev.smc.testkit.InstanceProviderContract}; the
 * task store's is in {@code smc-testkit-scheduler}), and real fakes instead of mocks (a
 * fault-injecting backend, a manual clock, a recording listener), and real network pieces for
 * loopback tests: a TCP forwarder that breaks connections on demand
 * ({@link dev.smc.testkit.FaultProxy}) and a CONNECT-only HTTP proxy
 * ({@link dev.smc.testkit.ConnectProxy}).
 */
@ParametersAreNonnullByDefault
package dev.smc.testkit;

import javax.annotation.ParametersAreNonnullByDefault;
