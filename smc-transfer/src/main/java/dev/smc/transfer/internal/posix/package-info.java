/**
 * Byte-exact POSIX file-system access for the file-level migration engine (Linux, glibc, x86_64 and aarch64).
 *
 * <p>The JDK cannot handle file names that are invalid in the JVM's charset, FIFOs and device nodes,
 * setuid/setgid/sticky bits, nanosecond times on symlinks or sparse-file probing. This package calls libc directly
 * through JNA direct mapping with {@code byte[]} paths throughout. Entry point: {@link dev.smc.transfer.internal.posix.Posix#get()}.
 */
@javax.annotation.ParametersAreNonnullByDefault
package dev.smc.transfer.internal.posix;
