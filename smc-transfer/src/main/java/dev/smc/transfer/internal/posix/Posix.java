package dev.smc.transfer.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Byte-exact access to the Linux file system through libc (JNA direct mapping, about a microsecond per call).
 *
 * <p>Paths are {@code byte[]} without a trailing NUL; they are passed to the kernel exactly, so names that are not
 * valid UTF-8 work. A path containing a NUL byte fails with {@code EINVAL}. Failures throw {@link PosixException}
 * carrying errno, the libc call and the path.
 *
 * <p>Thread-safe and stateless: each thread reuses its own native scratch buffer (64 KiB, grows only for unusually
 * large symlink targets or extended attributes), so metadata calls allocate no native memory.
 *
 * <p>Requirements: Linux on x86_64 or aarch64, glibc 2.28 or later (statx), kernel 4.11 or later.
 */
public final class Posix {

    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    // ---- open(2) flags (the ones that differ between x86_64 and aarch64 are chosen at run time)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    /** Fails with EPERM unless the caller owns the file or has CAP_FOWNER. */
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_DIRECT = AARCH64 ? 0200000 : 040000;
    /** The alignment {@link #createDirect} needs of buffers (the largest logical block size in use). */
    public static final int DIRECT_ALIGNMENT = 4096;

    // ---- st_mode file types
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    // ---- d_type values of DirEntry.type()
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_SIZE = 256;
    /** Room for a {@code struct statfs} (120 bytes on x86_64 and aarch64). */
    private static final int STATFS_SIZE = 256;

    // file system magic numbers (linux/magic.h): kernel interfaces whose files are not data
    public static final long PROC_SUPER_MAGIC = 0x9fa0;
    public static final long SYSFS_MAGIC = 0x62656572;
    public static final long DEBUGFS_MAGIC = 0x64626720;
    public static final long TRACEFS_MAGIC = 0x74726163;
    public static final long SECURITYFS_MAGIC = 0x73636673;
    public static final long CGROUP_SUPER_MAGIC = 0x27e0eb;
    public static final long CGROUP2_SUPER_MAGIC = 0x63677270;
    public static final long CONFIGFS_MAGIC = 0x62656570;
    public static final long TMPFS_MAGIC = 0x01021994;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int POSIX_FADV_SEQUENTIAL = 2;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final long SYS_GETDENTS64 = AARCH64 ? 61 : 217;
    private static final long SYS_MKNODAT = AARCH64 ? 33 : 259;
    private static final long NANOS = 1_000_000_000L;
    private static final int SCRATCH_SIZE = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Posix() {}

    /**
     * The instance.
     *
     * @throws UnsupportedOperationException off Linux x86_64/aarch64, or when libc lacks a required function
     */
    public static Posix get() {
        Posix p = Holder.INSTANCE;
        if (p == null) {
            throw new UnsupportedOperationException(Holder.FAILURE, Holder.CAUSE);
        }
        return p;
    }

    static boolean available() {
        return Holder.INSTANCE != null;
    }

    private static final class Holder {
        @Nullable
        static final Posix INSTANCE;
        @Nullable
        static final String FAILURE;
        @Nullable
        static final Throwable CAUSE;

        static {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "");
            Posix instance = null;
            String failure = null;
            Throwable cause = null;
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                failure = "dev.smc.transfer.internal.posix needs Linux; this is " + os + " (" + arch + ")";
            } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                failure = "dev.smc.transfer.internal.posix supports Linux on x86_64 and aarch64 only; this is " + arch;
            } else {
                try {
                    LibC.register();
                    instance = new Posix();
                } catch (LinkageError | RuntimeException e) {
                    failure = "dev.smc.transfer.internal.posix could not bind libc (needs glibc >= 2.28): " + e;
                    cause = e;
                }
            }
            INSTANCE = instance;
            FAILURE = failure;
            CAUSE = cause;
        }
    }

    // ------------------------------------------------------------------ metadata

    /** {@code statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS)}: does not follow a final symlink. */
    public Stat lstat(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(STATX_SIZE, path, "lstat");
        try {
            LibC.statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, s.addr);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "lstat", path);
        }
        return s.statx();
    }

    /** {@code statx(AT_FDCWD, path, 0, STATX_BASIC_STATS)}: follows symlinks, as {@code stat(2)}; opens nothing. */
    public Stat stat(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(STATX_SIZE, path, "stat");
        try {
            LibC.statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, s.addr);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "stat", path);
        }
        return s.statx();
    }

    /**
     * The magic number of the file system holding {@code path} ({@code statfs(2)}'s {@code f_type}), e.g.
     * {@link #PROC_SUPER_MAGIC}; follows symlinks, opens nothing.
     */
    public long fileSystemType(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(STATFS_SIZE, path, "statfs");
        try {
            LibC.statfs(p, s.addr);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "statfs", path);
        }
        return s.buf.getLong(0);
    }

    /** Status of an open file ({@code statx} with {@code AT_EMPTY_PATH}). */
    public Stat fstat(int fd) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(STATX_SIZE, EMPTY, "fstat");
        try {
            LibC.statx(fd, p, AT_EMPTY_PATH, STATX_BASIC_STATS, s.addr);
        } catch (LastErrorException e) {
            throw PosixException.ofFd(e.getErrorCode(), "fstat", fd);
        }
        return s.statx();
    }

    /**
     * All entries of a directory except {@code .} and {@code ..}, in the order the file system returns them (not
     * sorted), read with {@code getdents64} 64 KiB at a time. Follows a symlink given as {@code dirPath}.
     */
    public List<DirEntry> readDir(byte[] dirPath) throws PosixException {
        Scratch s = Scratch.get();
        int fd = open(dirPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, "opendir");
        try {
            List<DirEntry> out = new ArrayList<>();
            ByteBuffer b = s.buf;
            while (true) {
                long n;
                try {
                    n = LibC.syscall(SYS_GETDENTS64, fd, s.addr, b.capacity(), 0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == PosixException.EINTR) {
                        continue;
                    }
                    throw PosixException.ofPath(e.getErrorCode(), "getdents64", dirPath);
                }
                if (n == 0) {
                    return out;
                }
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                int pos = 0;
                while (pos < n) {
                    int reclen = b.getShort(pos + 16) & 0xffff;
                    int type = b.get(pos + 18) & 0xff;
                    int start = pos + 19;
                    int end = start;
                    int limit = pos + reclen;
                    while (end < limit && b.get(end) != 0) {
                        end++;
                    }
                    int len = end - start;
                    boolean dot = b.get(start) == '.' && (len == 1 || (len == 2 && b.get(start + 1) == '.'));
                    if (!dot) {
                        byte[] name = new byte[len];
                        b.get(start, name);
                        out.add(new DirEntry(name, type));
                    }
                    pos += reclen;
                }
            }
        } finally {
            closeQuietly(fd);
        }
    }

    /** The exact bytes of a symlink's target, of any length. */
    public byte[] readlink(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        int need = 0;
        while (true) {
            int off = align(path.length + 1);
            s.ensure(Math.max(need, off + 4096));
            long p = s.cstr(0, path, "readlink");
            int size = s.buf.capacity() - off;
            long n;
            try {
                n = LibC.readlink(p, s.addr + off, size);
            } catch (LastErrorException e) {
                throw PosixException.ofPath(e.getErrorCode(), "readlink", path);
            }
            if (n < size) {
                return s.bytes(off, (int) n);
            }
            need = s.buf.capacity() * 2; // possibly truncated: retry with more room
        }
    }

    /**
     * Names of the extended attributes of {@code path} (not following a final symlink), e.g. {@code "user.foo"},
     * as exact bytes. Empty when the file system does not support extended attributes.
     */
    public List<byte[]> listXattrs(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        int need = 0;
        while (true) {
            int off = align(path.length + 1);
            s.ensure(Math.max(need, off + 4096));
            long p = s.cstr(0, path, "llistxattr");
            int size = s.buf.capacity() - off;
            long n;
            try {
                n = LibC.llistxattr(p, s.addr + off, size);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == PosixException.EOPNOTSUPP) {
                    return List.of();
                }
                if (errno == PosixException.ERANGE) {
                    need = off + (int) sizeQuery(() -> LibC.llistxattr(p, 0, 0), "llistxattr", path) + 1024;
                    need = Math.max(need, s.buf.capacity() + 1);
                    continue;
                }
                throw PosixException.ofPath(errno, "llistxattr", path);
            }
            List<byte[]> names = new ArrayList<>();
            int start = off;
            int end = off + (int) n;
            for (int i = off; i < end; i++) {
                if (s.buf.get(i) == 0) {
                    if (i > start) {
                        names.add(s.bytes(start, i - start));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** The value of extended attribute {@code name} (not following a final symlink); ENODATA when absent. */
    public byte[] getXattr(byte[] path, byte[] name) throws PosixException {
        Scratch s = Scratch.get();
        int need = 0;
        while (true) {
            int nameOff = align(path.length + 1);
            int off = nameOff + align(name.length + 1);
            s.ensure(Math.max(need, off + 4096));
            s.cstr(0, path, "lgetxattr");
            s.cstr(nameOff, name, "lgetxattr");
            long p = s.addr;
            long np = s.addr + nameOff;
            int size = s.buf.capacity() - off;
            long n;
            try {
                n = LibC.lgetxattr(p, np, s.addr + off, size);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == PosixException.ERANGE) {
                    need = off + (int) sizeQuery(() -> LibC.lgetxattr(p, np, 0, 0), "lgetxattr", path) + 1024;
                    need = Math.max(need, s.buf.capacity() + 1);
                    continue;
                }
                throw xattrError(e.getErrorCode(), "lgetxattr", path, name);
            }
            return s.bytes(off, (int) n);
        }
    }

    /** Creates or replaces extended attribute {@code name} (not following a final symlink). */
    public void setXattr(byte[] path, byte[] name, byte[] value) throws PosixException {
        Scratch s = Scratch.get();
        int nameOff = align(path.length + 1);
        int off = nameOff + align(name.length + 1);
        s.ensure(off + value.length);
        s.cstr(0, path, "lsetxattr");
        s.cstr(nameOff, name, "lsetxattr");
        long p = s.addr;
        long np = s.addr + nameOff;
        s.buf.put(off, value);
        try {
            LibC.lsetxattr(p, np, s.addr + off, value.length, 0);
        } catch (LastErrorException e) {
            throw xattrError(e.getErrorCode(), "lsetxattr", path, name);
        }
    }

    // ------------------------------------------------------------------ file data

    /** {@code open(2)}; {@code mode} applies only with {@link #O_CREAT}. Retries on EINTR. */
    public int open(byte[] path, int flags, int mode) throws PosixException {
        return open(path, flags, mode, "open");
    }

    /**
     * One {@code pread(2)} into {@code buf} from its position up to its limit; advances the position by the count
     * read and returns it: 0 at end of file (or when the buffer has no room). Retries on EINTR.
     *
     * @param buf a direct, writable buffer
     */
    public int pread(int fd, ByteBuffer buf, long offset) throws PosixException {
        if (buf.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = buf.position();
        int rem = buf.limit() - pos;
        if (rem == 0) {
            return 0;
        }
        long addr = address(buf) + pos;
        try {
            while (true) {
                try {
                    int n = (int) LibC.pread(fd, addr, rem, offset);
                    buf.position(pos + n);
                    return n;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != PosixException.EINTR) {
                        throw PosixException.ofFd(e.getErrorCode(), "pread", fd);
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(buf);
        }
    }

    /**
     * Creates the file {@code path} (which must not exist) holding {@code data}'s remaining bytes: the
     * {@link #DIRECT_ALIGNMENT}-aligned prefix written with {@code O_DIRECT}, so it goes to the disk without a copy
     * into the page cache, the rest written normally. Returns false, having created nothing, when {@code data} does
     * not start at an aligned address or the file system does not take {@code O_DIRECT}. The data is not yet
     * durable: fsync the file.
     *
     * @param data a direct buffer; its position is left unchanged
     */
    public boolean createDirect(byte[] path, ByteBuffer data) throws PosixException {
        int len = data.remaining();
        int aligned = len / DIRECT_ALIGNMENT * DIRECT_ALIGNMENT;
        if (!data.isDirect() || aligned == 0 || (address(data) + data.position()) % DIRECT_ALIGNMENT != 0) {
            return false;
        }
        int fd;
        try {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT, 0644);
        } catch (PosixException e) {
            if (e.errno() == PosixException.EINVAL) {
                return false;
            }
            throw e;
        }
        boolean done = false;
        try {
            try {
                pwrite(fd, data.slice(data.position(), aligned), 0);
            } catch (PosixException e) {
                if (e.errno() == PosixException.EINVAL) {
                    return false; // opened, but the file system refuses direct writes of this buffer
                }
                throw e;
            }
            done = true;
        } finally {
            close(fd);
            if (!done) {
                unlink(path);
            }
        }
        if (aligned < len) {
            int tail = open(path, O_WRONLY | O_CLOEXEC, 0);
            try {
                pwrite(tail, data.slice(data.position() + aligned, len - aligned), aligned);
            } finally {
                close(tail);
            }
        }
        return true;
    }

    /**
     * Writes all remaining bytes of {@code buf} at {@code offset} ({@code pwrite(2)} in a loop), advancing the
     * position as bytes are written (also when a later write fails). Retries on EINTR.
     *
     * @param buf a direct buffer
     */
    public int pwrite(int fd, ByteBuffer buf, long offset) throws PosixException {
        int start = buf.position();
        long base = address(buf);
        try {
            while (buf.hasRemaining()) {
                int pos = buf.position();
                long n;
                try {
                    n = LibC.pwrite(fd, base + pos, buf.limit() - pos, offset + (pos - start));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == PosixException.EINTR) {
                        continue;
                    }
                    throw PosixException.ofFd(e.getErrorCode(), "pwrite", fd);
                }
                if (n <= 0) { // not expected from a file; never spin
                    throw PosixException.ofFd(PosixException.EIO, "pwrite", fd);
                }
                buf.position(pos + (int) n);
            }
            return buf.position() - start;
        } finally {
            Reference.reachabilityFence(buf);
        }
    }

    /** {@code lseek(fd, offset, SEEK_DATA)}: start of the next data region at or after offset, or -1 if none. */
    public long seekData(int fd, long offset) throws PosixException {
        try {
            return LibC.lseek(fd, offset, SEEK_DATA);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == PosixException.ENXIO) {
                return -1;
            }
            throw PosixException.ofFd(e.getErrorCode(), "lseek(SEEK_DATA)", fd);
        }
    }

    /**
     * {@code lseek(fd, offset, SEEK_HOLE)}: start of the next hole at or after offset; the file size if the data runs
     * to the end. ENXIO if offset is at or beyond the end.
     */
    public long seekHole(int fd, long offset) throws PosixException {
        try {
            return LibC.lseek(fd, offset, SEEK_HOLE);
        } catch (LastErrorException e) {
            throw PosixException.ofFd(e.getErrorCode(), "lseek(SEEK_HOLE)", fd);
        }
    }

    public void ftruncate(int fd, long size) throws PosixException {
        try {
            LibC.ftruncate(fd, size);
        } catch (LastErrorException e) {
            throw PosixException.ofFd(e.getErrorCode(), "ftruncate", fd);
        }
    }

    public void fsync(int fd) throws PosixException {
        try {
            LibC.fsync(fd);
        } catch (LastErrorException e) {
            throw PosixException.ofFd(e.getErrorCode(), "fsync", fd);
        }
    }

    /** Hint that the whole file will be read sequentially (larger read-ahead). Best effort, never fails. */
    public void fadviseSequential(int fd) {
        LibC.posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }

    /** Hint that a range is no longer needed in the page cache ({@code len} 0: to the end). Best effort. */
    public void fadviseDontNeed(int fd, long off, long len) {
        LibC.posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
    }

    /** {@code close(2)}. Never retried: on Linux the descriptor is released even when close reports an error. */
    public void close(int fd) throws PosixException {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw PosixException.ofFd(e.getErrorCode(), "close", fd);
        }
    }

    // ------------------------------------------------------------------ creating and changing

    /** {@code mkdir(2)}; the umask applies. */
    public void mkdir(byte[] path, int mode) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "mkdir");
        try {
            LibC.mkdir(p, mode);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "mkdir", path);
        }
    }

    /**
     * {@code mknodat(AT_FDCWD, ...)}: {@code mode} is a file type ({@link #S_IFIFO}, {@link #S_IFCHR},
     * {@link #S_IFBLK}, {@link #S_IFSOCK}, {@link #S_IFREG}) or'ed with permissions; the umask applies. {@code rdev}
     * as in {@link Stat#rdev()} / {@link #makedev(int, int)}, only used for devices, which need CAP_MKNOD.
     */
    public void mknod(byte[] path, int mode, long rdev) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "mknod");
        try {
            LibC.syscall(SYS_MKNODAT, AT_FDCWD, p, mode & 0xffffffffL, rdev);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "mknod", path);
        }
    }

    /** Creates {@code linkPath} as a symlink whose content is exactly {@code target} (which need not exist). */
    public void symlink(byte[] target, byte[] linkPath) throws PosixException {
        Scratch s = Scratch.get();
        int off = align(target.length + 1);
        s.cstr(0, target, "symlink");
        s.cstr(off, linkPath, "symlink");
        long t = s.addr;
        long l = s.addr + off;
        try {
            LibC.symlink(t, l);
        } catch (LastErrorException e) {
            throw twoPaths(e.getErrorCode(), "symlink", linkPath, linkPath, target);
        }
    }

    /** Creates {@code newPath} as a hard link to {@code existing} (a symlink itself, not its target, is linked). */
    public void link(byte[] existing, byte[] newPath) throws PosixException {
        Scratch s = Scratch.get();
        int off = align(existing.length + 1);
        s.cstr(0, existing, "link");
        s.cstr(off, newPath, "link");
        long a = s.addr;
        long b = s.addr + off;
        try {
            LibC.link(a, b);
        } catch (LastErrorException e) {
            throw twoPaths(e.getErrorCode(), "link", newPath, existing, newPath);
        }
    }

    /** {@code rename(2)}: atomically replaces {@code to} if it exists (within one file system). */
    public void rename(byte[] from, byte[] to) throws PosixException {
        Scratch s = Scratch.get();
        int off = align(from.length + 1);
        s.cstr(0, from, "rename");
        s.cstr(off, to, "rename");
        long a = s.addr;
        long b = s.addr + off;
        try {
            LibC.rename(a, b);
        } catch (LastErrorException e) {
            throw twoPaths(e.getErrorCode(), "rename", from, from, to);
        }
    }

    public void unlink(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "unlink");
        try {
            LibC.unlink(p);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "unlink", path);
        }
    }

    public void rmdir(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "rmdir");
        try {
            LibC.rmdir(p);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "rmdir", path);
        }
    }

    /**
     * Changes owner and group without following a final symlink; -1 leaves one unchanged. Changing the owner of a
     * regular file clears its setuid/setgid bits (kernel rule): call {@link #chmod} afterwards.
     */
    public void lchown(byte[] path, int uid, int gid) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "lchown");
        try {
            LibC.lchown(p, uid, gid);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "lchown", path);
        }
    }

    /**
     * Sets all of {@code mode & 07777}, including setuid, setgid and sticky. Follows symlinks: do not use on a
     * symlink (Linux has no symlink permissions).
     */
    public void chmod(byte[] path, int mode) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, "chmod");
        try {
            LibC.chmod(p, mode & 07777);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "chmod", path);
        }
    }

    /**
     * {@code utimensat(2)}: sets access and modification time in nanoseconds since the epoch (negative before 1970).
     * With {@code noFollow} a symlink's own times are set.
     */
    public void setTimes(byte[] path, long atimeNs, long mtimeNs, boolean noFollow) throws PosixException {
        Scratch s = Scratch.get();
        ByteBuffer b = s.buf;
        // struct timespec times[2] = { { tv_sec, tv_nsec }, { tv_sec, tv_nsec } }, both fields 64 bit
        b.putLong(0, Math.floorDiv(atimeNs, NANOS));
        b.putLong(8, Math.floorMod(atimeNs, NANOS));
        b.putLong(16, Math.floorDiv(mtimeNs, NANOS));
        b.putLong(24, Math.floorMod(mtimeNs, NANOS));
        long p = s.cstr(32, path, "utimensat");
        try {
            LibC.utimensat(AT_FDCWD, p, s.addr, noFollow ? AT_SYMLINK_NOFOLLOW : 0);
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), "utimensat", path);
        }
    }

    /** Sets the process-wide umask and returns the previous one. */
    public int umask(int mask) {
        return LibC.umask(mask);
    }

    // ------------------------------------------------------------------ device numbers

    /** glibc's {@code gnu_dev_makedev}: the 64-bit Linux device number of (major, minor). */
    public static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    /** glibc's {@code gnu_dev_major}. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0x00000fffL) | ((dev >>> 32) & 0xfffff000L));
    }

    /** glibc's {@code gnu_dev_minor}. */
    public static int minor(long dev) {
        return (int) ((dev & 0x000000ffL) | ((dev >>> 12) & 0xffffff00L));
    }

    // ------------------------------------------------------------------ internals

    private int open(byte[] path, int flags, int mode, String call) throws PosixException {
        Scratch s = Scratch.get();
        long p = s.cstr(0, path, call);
        while (true) {
            try {
                return LibC.open(p, flags, mode);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != PosixException.EINTR) {
                    throw PosixException.ofPath(e.getErrorCode(), call, path);
                }
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the descriptor is released anyway
        }
    }

    private static long address(ByteBuffer buf) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("a direct ByteBuffer is required");
        }
        Pointer p = Native.getDirectBufferPointer(buf);
        return Pointer.nativeValue(p);
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    private static PosixException twoPaths(int errno, String call, byte[] path, byte[] first, byte[] second) {
        return new PosixException(errno, call, path,
                PathBytes.printable(first) + " -> " + PathBytes.printable(second));
    }

    private static PosixException xattrError(int errno, String call, byte[] path, byte[] name) {
        return new PosixException(errno, call, path, PathBytes.printable(path) + " " + PathBytes.printable(name));
    }

    private interface SizeCall {
        long call() throws LastErrorException;
    }

    /** The size-query form of the xattr calls (buffer size 0), for growing the buffer after ERANGE. */
    private static long sizeQuery(SizeCall c, String call, byte[] path) throws PosixException {
        try {
            return c.call();
        } catch (LastErrorException e) {
            throw PosixException.ofPath(e.getErrorCode(), call, path);
        }
    }

    /** Per-thread native scratch memory for path strings and call results. */
    private static final class Scratch {
        ByteBuffer buf;
        long addr;

        Scratch() {
            allocate(SCRATCH_SIZE);
        }

        static Scratch get() {
            return SCRATCH.get();
        }

        private void allocate(int capacity) {
            buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            addr = address(buf);
        }

        /** Grows to at least {@code capacity} bytes, keeping the contents. */
        void ensure(int capacity) {
            if (capacity > buf.capacity()) {
                ByteBuffer old = buf;
                allocate((int) Math.min(Integer.MAX_VALUE - 8, Math.max(capacity, 2L * old.capacity())));
                buf.put(0, old, 0, old.capacity());
            }
        }

        /**
         * Places {@code str} and a terminating NUL at {@code off} and returns its address. May grow (and so move) the
         * buffer: with several strings, take the addresses ({@code addr + off}) after placing the last one.
         */
        long cstr(int off, byte[] str, String call) throws PosixException {
            for (byte c : str) {
                if (c == 0) {
                    throw new PosixException(PosixException.EINVAL, call, str,
                            PathBytes.printable(str) + " (contains a NUL byte)");
                }
            }
            ensure(off + str.length + 1);
            buf.put(off, str);
            buf.put(off + str.length, (byte) 0);
            return addr + off;
        }

        byte[] bytes(int off, int len) {
            byte[] out = new byte[len];
            buf.get(off, out);
            return out;
        }

        /** Decodes the {@code struct statx} at offset 0. */
        Stat statx() {
            ByteBuffer b = buf;
            long nlink = b.getInt(16) & 0xffffffffL;
            int uid = b.getInt(20);
            int gid = b.getInt(24);
            int mode = b.getShort(28) & 0xffff;
            long ino = b.getLong(32);
            long size = b.getLong(40);
            long blocks = b.getLong(48);
            long atime = nanos(b, 64);
            long ctime = nanos(b, 96);
            long mtime = nanos(b, 112);
            long rdev = makedev(b.getInt(128), b.getInt(132));
            long dev = makedev(b.getInt(136), b.getInt(140));
            return new Stat(dev, ino, mode, nlink, uid, gid, rdev, size, blocks, atime, mtime, ctime);
        }

        /** A {@code struct statx_timestamp} { s64 tv_sec; u32 tv_nsec; } as nanoseconds, saturating past ±292 years. */
        private static long nanos(ByteBuffer b, int off) {
            long sec = b.getLong(off);
            long nsec = b.getInt(off + 8) & 0xffffffffL;
            try {
                return Math.addExact(Math.multiplyExact(sec, NANOS), nsec);
            } catch (ArithmeticException e) {
                return sec < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }
    }
}
