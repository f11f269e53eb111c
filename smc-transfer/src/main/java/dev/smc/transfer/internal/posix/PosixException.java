package dev.smc.transfer.internal.posix;

import java.io.IOException;
import javax.annotation.Nullable;

/**
 * A failed libc call: the errno, the call's name and the path it was about.
 *
 * <p>Message format: {@code "lstat /a/b: No such file or directory (ENOENT)"}, the path rendered with
 * {@link PathBytes#printable(byte[])}. Calls on a descriptor read {@code "pread fd 7: ..."}; calls on two paths show
 * both, e.g. {@code "rename /a -> /b: ..."}, {@code "symlink /link -> target: ..."}.
 */
public final class PosixException extends IOException {

    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    /** No such extended attribute (also known as ENOATTR). */
    public static final int ENODATA = 61;
    /** Same value as ENOTSUP on Linux. */
    public static final int EOPNOTSUPP = 95;
    public static final int EDQUOT = 122;

    private final int errno;
    private final String call;
    @Nullable
    private final byte[] path;

    /**
     * @param errno  the error number
     * @param call   the libc function, e.g. {@code "lstat"}
     * @param path   the path the call was about, or null for calls on a descriptor
     * @param target how to show the call's operands in the message, e.g. the printable path or {@code "fd 7"}
     */
    PosixException(int errno, String call, @Nullable byte[] path, String target) {
        super(call + " " + target + ": " + Errno.message(errno) + " (" + Errno.name(errno) + ")");
        this.errno = errno;
        this.call = call;
        this.path = path == null ? null : path.clone();
    }

    static PosixException ofPath(int errno, String call, byte[] path) {
        return new PosixException(errno, call, path, PathBytes.printable(path));
    }

    static PosixException ofFd(int errno, String call, int fd) {
        return new PosixException(errno, call, null, "fd " + fd);
    }

    /** The error number, e.g. {@link #ENOENT}. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code "ENOENT"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * Why the call failed, without the call and its operands, for a message that names the path in its own
     * words: {@code "no space left on device (ENOSPC)"}.
     */
    public String reason() {
        String m = Errno.message(errno);
        if (!m.isEmpty() && Character.isUpperCase(m.charAt(0)) && (m.length() == 1 || !Character.isUpperCase(m.charAt(1)))) {
            m = Character.toLowerCase(m.charAt(0)) + m.substring(1);
        }
        return m + " (" + Errno.name(errno) + ")";
    }

    /** ENOSPC or EDQUOT: the file system, or the user's quota on it, is full. */
    public boolean isNoSpace() {
        return errno == ENOSPC || errno == EDQUOT;
    }

    /** The name of the failed libc function, e.g. {@code "lstat"}. */
    public String call() {
        return call;
    }

    /**
     * The path the failed call was about (a copy), or null for calls on a file descriptor. For two-path calls: the
     * path being created or moved ({@code symlink}: the link, {@code link}: the new name, {@code rename}: the source).
     */
    @Nullable
    public byte[] path() {
        return path == null ? null : path.clone();
    }

    /** ENOENT. */
    public boolean isNotFound() {
        return errno == ENOENT;
    }

    /** EACCES or EPERM. */
    public boolean isPermissionDenied() {
        return errno == EACCES || errno == EPERM;
    }

    /** EOPNOTSUPP (= ENOTSUP) or ENOSYS: the file system or kernel does not support the operation. */
    public boolean isNotSupported() {
        return errno == EOPNOTSUPP || errno == ENOSYS;
    }

    /** EEXIST. */
    public boolean isAlreadyExists() {
        return errno == EEXIST;
    }
}
