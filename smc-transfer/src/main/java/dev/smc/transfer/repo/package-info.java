/** The image repository: packs of content-addressed chunks, indexes, image manifests, locks, check and garbage collection. */
@ParametersAreNonnullByDefault
package dev.smc.transfer.repo;

import javax.annotation.ParametersAreNonnullByDefault;
