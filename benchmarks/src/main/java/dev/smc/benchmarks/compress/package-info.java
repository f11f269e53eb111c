/** JMH benchmarks of chunk compression codecs and levels, and the data they are measured on. */
@ParametersAreNonnullByDefault
package dev.smc.benchmarks.compress;

import javax.annotation.ParametersAreNonnullByDefault;
