/**
 * What a vendor implements: {@link dev.smc.spi.MigrationSource} (a server to copy),
 * {@link dev.smc.spi.Backend} (dumb object storage under a repository),
 * {@link dev.smc.spi.ImageStore} (the repository of images) and
 * {@link dev.smc.spi.InstanceProvider} (transit and launched instances).
 */
@ParametersAreNonnullByDefault
package dev.smc.spi;

import javax.annotation.ParametersAreNonnullByDefault;
