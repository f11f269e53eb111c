package dev.smc.transfer.internal.posix;

import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * One directory entry as returned by {@link Posix#readDir(byte[])}.
 *
 * <p>{@code name} is the entry's exact bytes (no slash, no NUL). It is not copied: treat it as read-only.
 * {@code type} is the {@code d_type} reported by the file system, one of the {@code Posix.DT_*} constants; some file
 * systems report {@link Posix#DT_UNKNOWN}, in which case the caller must {@code lstat} the entry. Equality is by the
 * name's bytes and the type.
 */
public record DirEntry(byte[] name, int type) {

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof DirEntry e && type == e.type && Arrays.equals(name, e.name);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + type;
    }

    @Override
    public String toString() {
        return "DirEntry[" + PathBytes.printable(name) + ", type=" + type + "]";
    }
}
