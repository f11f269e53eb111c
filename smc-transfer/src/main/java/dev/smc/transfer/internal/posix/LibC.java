package dev.smc.transfer.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc functions used by {@link Posix}, bound with JNA direct mapping.
 *
 * <p>Every pointer argument is a raw native address ({@code long}) into a caller-owned direct buffer, so a call
 * allocates nothing on either side. Natives declared {@code throws LastErrorException} make JNA clear errno before
 * the call and throw when it is non-zero afterwards; all of them are thin system-call wrappers that only set errno on
 * failure. Sizes are {@code long} ({@code size_t}/{@code ssize_t}/{@code off_t} on LP64), {@code mode_t},
 * {@code uid_t} and {@code gid_t} are {@code int}, {@code dev_t} is {@code long}.
 *
 * <p>Not initialised on its own: {@link #register()} binds the natives, once, from {@link Posix}.
 */
final class LibC {

    private LibC() {}

    /** Binds the natives of this class to the C library; throws a {@link LinkageError} when a symbol is missing. */
    static void register() {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    // glibc >= 2.28 wrapper (kernel >= 4.11)
    static native int statx(int dirfd, long path, int flags, int mask, long statxbuf) throws LastErrorException;

    /**
     * {@code long syscall(long number, ...)}: used for getdents64 (no glibc wrapper before 2.30) and mknodat (glibc
     * before 2.33 exports no mknod/mknodat symbols). Unused trailing arguments are ignored by the kernel.
     */
    static native long syscall(long number, long a1, long a2, long a3, long a4) throws LastErrorException;

    /** {@code struct statfs} starts with {@code __fsword_t f_type} (a long) on x86_64 and aarch64. */
    static native int statfs(long path, long statfsbuf) throws LastErrorException;

    static native int open(long path, int flags, int mode) throws LastErrorException;

    static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

    static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    static native int ftruncate(int fd, long length) throws LastErrorException;

    static native int fsync(int fd) throws LastErrorException;

    /** Returns an error number instead of setting errno. */
    static native int posix_fadvise(int fd, long offset, long len, int advice);

    static native int close(int fd) throws LastErrorException;

    static native int mkdir(long path, int mode) throws LastErrorException;

    static native int symlink(long target, long linkPath) throws LastErrorException;

    static native int link(long existing, long newPath) throws LastErrorException;

    static native int rename(long from, long to) throws LastErrorException;

    static native int unlink(long path) throws LastErrorException;

    static native int rmdir(long path) throws LastErrorException;

    static native int lchown(long path, int uid, int gid) throws LastErrorException;

    static native int chmod(long path, int mode) throws LastErrorException;

    static native int utimensat(int dirfd, long path, long times, int flags) throws LastErrorException;

    /** Cannot fail. */
    static native int umask(int mask);

    static native long readlink(long path, long buf, long size) throws LastErrorException;

    static native long llistxattr(long path, long list, long size) throws LastErrorException;

    static native long lgetxattr(long path, long name, long value, long size) throws LastErrorException;

    static native int lsetxattr(long path, long name, long value, long size, int flags) throws LastErrorException;

    static native Pointer strerror(int errnum);
}
