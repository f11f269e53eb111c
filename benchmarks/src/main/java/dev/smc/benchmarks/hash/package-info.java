/** JMH benchmarks of chunk hashing (SHA-256 implementations, BLAKE2b/BLAKE3 for reference). */
@ParametersAreNonnullByDefault
package dev.smc.benchmarks.hash;

import javax.annotation.ParametersAreNonnullByDefault;
