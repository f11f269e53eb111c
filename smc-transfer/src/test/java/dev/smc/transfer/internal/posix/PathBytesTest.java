package dev.smc.transfer.internal.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class PathBytesTest {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void joinPutsOneSlashBetweenDirectoryAndName() {
        assertArrayEquals(PathBytes.of("/a/b"), PathBytes.join(PathBytes.of("/a"), PathBytes.of("b")));
        assertArrayEquals(PathBytes.of("/etc"), PathBytes.join(PathBytes.of("/"), PathBytes.of("etc")));
        assertArrayEquals(PathBytes.of("name"), PathBytes.join(new byte[0], PathBytes.of("name")));
        assertArrayEquals(bytes('d', '/', 0xff), PathBytes.join(PathBytes.of("d"), bytes(0xff)));
    }

    @Test
    void ofEncodesUtf8() {
        assertArrayEquals(bytes(0xc3, 0xa9), PathBytes.of("é"));
    }

    @Test
    void printableKeepsValidUtf8AndEscapesInvalidBytes() {
        assertEquals("/plain/ascii", PathBytes.printable(PathBytes.of("/plain/ascii")));
        assertEquals("/caf\u00e9/\u65e5\u672c/\ud83d\ude00", PathBytes.printable(PathBytes.of("/café/日本/😀")));
        assertEquals("a\\xff\\xfez", PathBytes.printable(bytes('a', 0xff, 0xfe, 'z')));
        assertEquals("", PathBytes.printable(new byte[0]));
    }

    @Test
    void printableEscapesMalformedSequences() {
        assertEquals("\\xc0\\x80", PathBytes.printable(bytes(0xc0, 0x80)), "overlong NUL");
        assertEquals("\\xe0\\x80\\xaf", PathBytes.printable(bytes(0xe0, 0x80, 0xaf)), "overlong slash");
        assertEquals("\\xed\\xa0\\x80", PathBytes.printable(bytes(0xed, 0xa0, 0x80)), "surrogate");
        assertEquals("\\xf4\\x90\\x80\\x80", PathBytes.printable(bytes(0xf4, 0x90, 0x80, 0x80)), "above U+10FFFF");
        assertEquals("x\\xe6\\x97", PathBytes.printable(bytes('x', 0xe6, 0x97)), "truncated at the end");
        assertEquals("\\xe6\\x97x", PathBytes.printable(bytes(0xe6, 0x97, 'x')), "truncated in the middle");
        assertEquals("\\x80", PathBytes.printable(bytes(0x80)), "stray continuation byte");
    }

    @Test
    void printableEscapesControlCharactersAndBackslashSoRenderingsAreUnambiguous() {
        assertEquals("a\\x0ab\\x09c\\x7f", PathBytes.printable(bytes('a', '\n', 'b', '\t', 'c', 0x7f)));
        assertEquals("\\xc2\\x85", PathBytes.printable(bytes(0xc2, 0x85)), "C1 control NEL");
        assertEquals("a\\\\xffb", PathBytes.printable(PathBytes.of("a\\xffb")));
        assertNotEquals(PathBytes.printable(PathBytes.of("a\\xff")), PathBytes.printable(bytes('a', 0xff)));
    }
}
