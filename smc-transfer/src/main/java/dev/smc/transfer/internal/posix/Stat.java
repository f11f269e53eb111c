package dev.smc.transfer.internal.posix;

/**
 * File status from {@code statx(2)}.
 *
 * @param dev       device of the file system holding the file, as a Linux {@code makedev(major, minor)} value
 * @param ino       inode number
 * @param mode      file type and permission bits ({@code st_mode})
 * @param nlink     number of hard links
 * @param uid       owner (unsigned 32 bit; use {@link Integer#toUnsignedLong(int)} for ids above 2^31)
 * @param gid       group (unsigned 32 bit)
 * @param rdev      device number for character and block devices as {@code makedev(major, minor)} (see
 *                  {@link Posix#makedev(int, int)}), which {@link Posix#mknod(byte[], int, long)} accepts back; 0 else
 * @param size      size in bytes (for symlinks: length of the target)
 * @param blocks512 allocated space in 512-byte units
 * @param atimeNs   last access, nanoseconds since the epoch (negative before 1970)
 * @param mtimeNs   last modification, nanoseconds since the epoch
 * @param ctimeNs   last status change, nanoseconds since the epoch
 */
public record Stat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, long blocks512,
                   long atimeNs, long mtimeNs, long ctimeNs) {

    /** {@code mode & S_IFMT}. */
    public int type() {
        return mode & Posix.S_IFMT;
    }

    /** {@code mode & 07777}: permission bits plus setuid, setgid and sticky. */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isRegular() {
        return type() == Posix.S_IFREG;
    }

    public boolean isDirectory() {
        return type() == Posix.S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == Posix.S_IFLNK;
    }

    public boolean isFifo() {
        return type() == Posix.S_IFIFO;
    }

    public boolean isCharDevice() {
        return type() == Posix.S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == Posix.S_IFBLK;
    }

    public boolean isSocket() {
        return type() == Posix.S_IFSOCK;
    }
}
