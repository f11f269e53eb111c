/** Chunk compression codecs and how user levels 0-10 map onto them. */
@ParametersAreNonnullByDefault
package dev.smc.transfer.codec;

import javax.annotation.ParametersAreNonnullByDefault;
