package dev.smc.transfer.disk;

/** The file systems (and volume signatures) {@link FileSystems#detect} recognises. Immutable and thread-safe. */
public enum FsType {
  EXT2("ext2"),
  EXT3("ext3"),
  EXT4("ext4"),
  XFS("xfs"),
  BTRFS("btrfs"),
  VFAT("vfat"),
  NTFS("ntfs"),
  SWAP("swap"),
  /** An LVM physical volume: holds logical volumes, not files. */
  LVM2_MEMBER("LVM2_member");

  private final String blkidName;

  FsType(String blkidName) {
    this.blkidName = blkidName;
  }

  /** The name {@code blkid} gives it in {@code TYPE=}: {@code "ext4"}, {@code "LVM2_member"}. */
  public String blkidName() {
    return blkidName;
  }

  /** Whether this is ext2, ext3 or ext4 (whose block bitmaps {@link Ext4Bitmaps} reads). */
  public boolean isExt() {
    return this == EXT2 || this == EXT3 || this == EXT4;
  }

  @Override
  public String toString() {
    return blkidName;
  }
}
