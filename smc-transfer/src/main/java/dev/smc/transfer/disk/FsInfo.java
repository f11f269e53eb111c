package dev.smc.transfer.disk;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A file system (or swap, or LVM physical volume) found by its superblock. Immutable and thread-safe.
 *
 * @param type what it is
 * @param label the volume label, empty when there is none or the superblock does not hold it (NTFS keeps it in
 *     a file)
 * @param uuid the UUID or serial as {@code blkid} prints it ({@code 1b2c…-…} for ext/xfs/btrfs/swap, {@code
 *     ABCD-1234} for FAT, 16 hex digits for NTFS, LVM's 6-4-4-4-4-4-6 form); empty when absent
 * @param blockSize the file system's block (FAT/NTFS: cluster; swap: page) size in bytes; absent for an LVM
 *     physical volume
 * @param sizeBytes the size the superblock claims (it may be smaller than the partition)
 * @param usedBytes ext2/3/4 only: (blocks − free blocks) × block size, from the superblock's counters, which a
 *     mounted file system updates lazily; {@link Ext4Bitmaps#usedBlocks()} counts exactly
 */
public record FsInfo(FsType type, String label, String uuid, OptionalInt blockSize, OptionalLong sizeBytes,
    OptionalLong usedBytes) {}
