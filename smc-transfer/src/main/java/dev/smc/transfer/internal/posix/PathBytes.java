package dev.smc.transfer.internal.posix;

import java.nio.charset.StandardCharsets;

/** Helpers for paths held as raw bytes (Linux paths are byte strings without NUL, not text). */
public final class PathBytes {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PathBytes() {}

    /**
     * {@code dir + '/' + name}; just {@code name} when {@code dir} is empty, and no second slash when {@code dir}
     * already ends with one (so {@code join("/", "etc")} is {@code "/etc"}).
     */
    public static byte[] join(byte[] dir, byte[] name) {
        if (dir.length == 0) {
            return name.clone();
        }
        boolean slash = dir[dir.length - 1] != '/';
        byte[] out = new byte[dir.length + (slash ? 1 : 0) + name.length];
        System.arraycopy(dir, 0, out, 0, dir.length);
        if (slash) {
            out[dir.length] = '/';
        }
        System.arraycopy(name, 0, out, out.length - name.length, name.length);
        return out;
    }

    /**
     * The bytes of {@code path} as the JDK passes it to the kernel ({@code sun.jnu.encoding}), so that a {@link java.nio.file.Path}
     * and these bytes name the same file.
     */
    public static byte[] of(java.nio.file.Path path) {
        return path.toString().getBytes(JNU);
    }

    private static final java.nio.charset.Charset JNU = jnu();

    private static java.nio.charset.Charset jnu() {
        String enc = System.getProperty("sun.jnu.encoding");
        try {
            return enc == null ? java.nio.charset.Charset.defaultCharset() : java.nio.charset.Charset.forName(enc);
        } catch (RuntimeException e) {
            return java.nio.charset.Charset.defaultCharset();
        }
    }

    /** The UTF-8 encoding of {@code s}. */
    public static byte[] of(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A human-readable rendering for messages and logs: well-formed UTF-8 as text; every byte that is not part of a
     * well-formed UTF-8 sequence, and the bytes of every ASCII or C1 control character, as {@code \xNN}; a backslash as
     * {@code \\}. The result is unambiguous (distinct byte strings render differently) and holds no control
     * characters.
     */
    public static String printable(byte[] path) {
        StringBuilder sb = null;
        int n = path.length;
        int i = 0;
        while (i < n) {
            int b = path[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                if (sb != null) {
                    sb.append((char) b);
                }
                i++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(n + 16);
                for (int k = 0; k < i; k++) {
                    sb.append((char) path[k]);
                }
            }
            int len = utf8SequenceLength(path, i);
            if (len == 2 && b == 0xc2 && (path[i + 1] & 0xff) < 0xa0) {
                len = 0; // C1 control character U+0080..U+009F: escape its bytes
            }
            if (len > 1) {
                sb.append(new String(path, i, len, StandardCharsets.UTF_8));
                i += len;
            } else {
                if (b == '\\') {
                    sb.append("\\\\");
                } else {
                    sb.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
                }
                i++;
            }
        }
        return sb == null ? new String(path, StandardCharsets.ISO_8859_1) : sb.toString();
    }

    /**
     * Length of the well-formed multi-byte UTF-8 sequence starting at {@code i} (2..4), or 0 if there is none
     * (ASCII, stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
     */
    private static int utf8SequenceLength(byte[] s, int i) {
        int b0 = s[i] & 0xff;
        int len;
        int lo = 0x80;
        int hi = 0xbf; // allowed range of the second byte
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            len = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            len = 3;
            if (b0 == 0xe0) {
                lo = 0xa0; // overlong
            } else if (b0 == 0xed) {
                hi = 0x9f; // surrogates
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            len = 4;
            if (b0 == 0xf0) {
                lo = 0x90; // overlong
            } else if (b0 == 0xf4) {
                hi = 0x8f; // > U+10FFFF
            }
        } else {
            return 0;
        }
        if (i + len > s.length) {
            return 0;
        }
        int b1 = s[i + 1] & 0xff;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < len; k++) {
            int c = s[i + k] & 0xff;
            if (c < 0x80 || c > 0xbf) {
                return 0;
            }
        }
        return len;
    }
}
