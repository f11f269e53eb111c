package dev.smc.transfer.internal.posix;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Linux errno names and messages. The numbers are those of asm-generic, which x86_64 and aarch64 share.
 */
final class Errno {

    private Errno() {}

    /** Index = errno value; null where Linux defines no error. */
    private static final String[] NAMES = {
            null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
            "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
            "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
            "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
            null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI",
            "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR",
            "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM",
            "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC",
            "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK",
            "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT",
            "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH",
            "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS",
            "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN",
            "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY",
            "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"
    };

    private static final AtomicReferenceArray<String> MESSAGES = new AtomicReferenceArray<>(NAMES.length);

    /** The symbolic name, e.g. {@code "ENOENT"}, or {@code "errno N"} for a number Linux does not define. */
    static String name(int errno) {
        if (errno >= 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }

    /** strerror(3) text, cached per errno; when libc is not available, the symbolic name. */
    static String message(int errno) {
        boolean cacheable = errno >= 0 && errno < NAMES.length;
        if (cacheable) {
            String cached = MESSAGES.get(errno);
            if (cached != null) {
                return cached;
            }
        }
        String msg;
        if (Posix.available()) {
            // glibc's strerror returns a constant for every known errno and a per-thread buffer (2.32+) or a shared
            // static one (older) for unknown numbers: take the lock so the shared buffer is read before reuse.
            synchronized (Errno.class) {
                msg = LibC.strerror(errno).getString(0, "UTF-8");
            }
        } else {
            msg = name(errno);
        }
        if (cacheable) {
            MESSAGES.set(errno, msg);
        }
        return msg;
    }
}
