/**
 * Describing a raw disk: {@link dev.smc.transfer.disk.DiskReader} reads an image file or a block device,
 * {@link dev.smc.transfer.disk.PartitionTable} finds its GPT or MBR partitions, {@link
 * dev.smc.transfer.disk.FileSystems} names the file system in each, and {@link dev.smc.transfer.disk.Ext4Bitmaps}
 * says which blocks of an ext2/3/4 file system are in use (for block-level replication, issue #3).
 * Nothing here writes to a disk.
 */
@ParametersAreNonnullByDefault
package dev.smc.transfer.disk;

import javax.annotation.ParametersAreNonnullByDefault;
