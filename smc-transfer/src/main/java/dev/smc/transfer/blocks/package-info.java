/**
 * Block-level replication: a raw disk (image file or block device) copied in fixed, aligned
 * blocks, each compared with the parent image's block at the same offset; restored bit for bit.
 */
@ParametersAreNonnullByDefault
package dev.smc.transfer.blocks;

import javax.annotation.ParametersAreNonnullByDefault;
