/**
 * Paths on this machine that an engine judges before it touches them: what a source is (found
 * without opening it), where a restore really writes (and how its failures name what they were
 * about), and the folder a store keeps its data in, identified by device and inode so that no other
 * spelling of its path gets past.
 */
@ParametersAreNonnullByDefault
package dev.smc.transfer.paths;

import javax.annotation.ParametersAreNonnullByDefault;
