package dev.smc.transfer.internal.posix;

import static dev.smc.transfer.internal.posix.PathBytes.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {

    private static final byte[] BAD_UTF8 = {'a', (byte) 0xff, (byte) 0xfe, 'z'};

    @TempDir
    Path tmp;

    private final Posix posix = Posix.get();
    private byte[] dir;

    @BeforeEach
    void setUp() {
        dir = PathBytes.of(tmp.toString());
    }

    private byte[] path(String name) {
        return join(dir, PathBytes.of(name));
    }

    private void createFile(byte[] path, byte[] content) throws PosixException {
        int fd = posix.open(path, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_CLOEXEC, 0644);
        try {
            posix.pwrite(fd, direct(content), 0);
        } finally {
            posix.close(fd);
        }
    }

    private static ByteBuffer direct(byte[] content) {
        ByteBuffer b = ByteBuffer.allocateDirect(content.length);
        b.put(content).flip();
        return b;
    }

    private static Set<String> names(List<DirEntry> entries) {
        Set<String> out = new HashSet<>();
        for (DirEntry e : entries) {
            out.add(PathBytes.printable(e.name()));
        }
        return out;
    }

    /** Files we create are owned by our effective uid. */
    private boolean isRoot() throws PosixException {
        byte[] probe = path("uid-probe");
        createFile(probe, new byte[0]);
        int uid = posix.lstat(probe).uid();
        posix.unlink(probe);
        return uid == 0;
    }

    // ------------------------------------------------------------------ names

    @Test
    void createDirectWritesTheAlignedPartPastTheCacheAndTheTailNormally() throws Exception {
        byte[] content = new byte[3 * Posix.DIRECT_ALIGNMENT + 123];
        new java.util.Random(5).nextBytes(content);
        ByteBuffer aligned = ByteBuffer.allocateDirect(content.length + 2 * Posix.DIRECT_ALIGNMENT)
            .alignedSlice(Posix.DIRECT_ALIGNMENT);
        aligned.put(content).flip();
        // the root file system here is ext4, which takes O_DIRECT
        assertTrue(posix.createDirect(path("direct"), aligned));
        assertEquals(0, aligned.position());
        assertArrayEquals(content, Files.readAllBytes(tmp.resolve("direct")));
        assertThrows(PosixException.class, () -> posix.createDirect(path("direct"), aligned), "the file exists");

        ByteBuffer unaligned = ByteBuffer.allocateDirect(content.length + 1);
        unaligned.put((byte) 0).put(content).flip().position(1);
        if ((address(unaligned) + 1) % Posix.DIRECT_ALIGNMENT != 0) {
            assertFalse(posix.createDirect(path("unaligned"), unaligned));
            assertFalse(Files.exists(tmp.resolve("unaligned")), "nothing is created for a buffer it cannot take");
        }
        ByteBuffer small = ByteBuffer.allocateDirect(2 * Posix.DIRECT_ALIGNMENT).alignedSlice(Posix.DIRECT_ALIGNMENT);
        small.limit(100);
        assertFalse(posix.createDirect(path("small"), small), "less than one aligned block");
    }

    private static long address(ByteBuffer b) {
        return com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(b));
    }

    @Test
    void nonUtf8NamesAreCreatedListedAndStatedByteExactly() throws Exception {
        byte[] file = join(dir, BAD_UTF8);
        byte[] subName = {(byte) 0xc0, (byte) 0x80, 'd'};
        byte[] sub = join(dir, subName);
        createFile(file, new byte[] {1, 2, 3});
        posix.mkdir(sub, 0755);

        List<DirEntry> entries = posix.readDir(dir);

        assertEquals(Set.of(new DirEntry(BAD_UTF8, Posix.DT_REG), new DirEntry(subName, Posix.DT_DIR)),
                new HashSet<>(entries));
        Stat st = posix.lstat(file);
        assertTrue(st.isRegular());
        assertEquals(3, st.size());
        assertTrue(posix.lstat(sub).isDirectory());
        assertEquals("a\\xff\\xfez", PathBytes.printable(BAD_UTF8));
    }

    @Test
    void dirEntriesAreEqualByNameBytes() {
        DirEntry a = new DirEntry(new byte[] {'x', (byte) 0xff}, Posix.DT_REG);
        DirEntry b = new DirEntry(new byte[] {'x', (byte) 0xff}, Posix.DT_REG);

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new DirEntry(new byte[] {'x', (byte) 0xfe}, Posix.DT_REG));
        assertEquals("DirEntry[x\\xff, type=8]", a.toString());
    }

    @Test
    void readDirReturnsEveryEntryOfALargeDirectoryExceptDotAndDotDot() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            String name = "file-with-a-longish-name-" + i;
            posix.mknod(path(name), Posix.S_IFREG | 0644, 0); // one system call per empty file
            expected.add(name);
        }

        List<DirEntry> entries = posix.readDir(dir);

        assertEquals(5000, entries.size());
        assertEquals(expected, names(entries));
        for (DirEntry e : entries) {
            assertTrue(e.type() == Posix.DT_REG || e.type() == Posix.DT_UNKNOWN);
        }
    }

    @Test
    void readDirOfAnEmptyDirectoryIsEmpty() throws Exception {
        assertEquals(List.of(), posix.readDir(dir));
    }

    @Test
    void readDirOnAFileFailsWithEnotdir() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);

        PosixException e = assertThrows(PosixException.class, () -> posix.readDir(file));

        assertEquals(PosixException.ENOTDIR, e.errno());
    }

    // ------------------------------------------------------------------ special files

    @Test
    void fifoCreatedWithMknodIsRecognisedByLstatAndReadDir() throws Exception {
        byte[] fifo = path("pipe");

        posix.mknod(fifo, Posix.S_IFIFO | 0640, 0);

        Stat st = posix.lstat(fifo);
        assertTrue(st.isFifo());
        assertFalse(st.isRegular());
        assertEquals(Posix.S_IFIFO, st.type());
        assertEquals(List.of(new DirEntry(PathBytes.of("pipe"), Posix.DT_FIFO)), posix.readDir(dir));
    }

    @Test
    void characterDeviceKeepsItsMajorAndMinorNumbers() throws Exception {
        byte[] dev = path("null-clone");
        long rdev = Posix.makedev(1, 3);
        try {
            posix.mknod(dev, Posix.S_IFCHR | 0666, rdev);
        } catch (PosixException e) {
            assumeTrue(!e.isPermissionDenied(), "creating device nodes needs CAP_MKNOD: " + e.getMessage());
            throw e;
        }

        Stat st = posix.lstat(dev);

        assertTrue(st.isCharDevice());
        assertEquals(rdev, st.rdev());
        assertEquals(1, Posix.major(st.rdev()));
        assertEquals(3, Posix.minor(st.rdev()));
    }

    @Test
    void makedevMatchesGlibcEncodingForLargeNumbers() {
        long dev = Posix.makedev(0x12345, 0xabcdef);

        assertEquals(0x1200abcd345efL, dev); // value printed by glibc's makedev()
        assertEquals(0x12345, Posix.major(dev));
        assertEquals(0xabcdef, Posix.minor(dev));
    }

    // ------------------------------------------------------------------ links

    @Test
    void symlinkTargetsAreReadBackExactlyEvenWhenDangling() throws Exception {
        byte[] target = join(PathBytes.of("/nowhere/at/all"), BAD_UTF8);
        byte[] link = path("dangling");

        posix.symlink(target, link);

        assertArrayEquals(target, posix.readlink(link));
        Stat st = posix.lstat(link);
        assertTrue(st.isSymlink());
        assertEquals(target.length, st.size());
        assertEquals(List.of(new DirEntry(PathBytes.of("dangling"), Posix.DT_LNK)), posix.readDir(dir));
    }

    @Test
    void readlinkReturnsTargetsOfMaximumLength() throws Exception {
        byte[] target = new byte[4095];
        Arrays.fill(target, (byte) 'x');
        for (int i = 0; i < target.length; i += 200) {
            target[i] = '/';
        }
        byte[] link = path("long");

        posix.symlink(target, link);

        assertArrayEquals(target, posix.readlink(link));
    }

    @Test
    void readlinkOfARegularFileFailsWithEinval() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);

        PosixException e = assertThrows(PosixException.class, () -> posix.readlink(file));

        assertEquals(PosixException.EINVAL, e.errno());
    }

    @Test
    void hardLinksShareTheInodeAndCountLinks() throws Exception {
        byte[] a = path("a");
        byte[] b = join(dir, BAD_UTF8);
        createFile(a, PathBytes.of("hello"));

        posix.link(a, b);

        Stat sa = posix.lstat(a);
        Stat sb = posix.lstat(b);
        assertEquals(sa.ino(), sb.ino());
        assertEquals(sa.dev(), sb.dev());
        assertEquals(2, sa.nlink());
        assertEquals(2, sb.nlink());
        posix.unlink(b);
        assertEquals(1, posix.lstat(a).nlink());
    }

    // ------------------------------------------------------------------ ownership, permissions, times

    @Test
    void chmodSetsSetuidSetgidAndStickyBits() throws Exception {
        byte[] file = path("f");
        byte[] sub = path("d");
        createFile(file, new byte[0]);
        posix.mkdir(sub, 0700);

        posix.chmod(file, 06755);
        posix.chmod(sub, 01777);

        assertEquals(06755, posix.lstat(file).permissions());
        assertEquals(Posix.S_IFREG | 06755, posix.lstat(file).mode());
        assertEquals(01777, posix.lstat(sub).permissions());
        posix.chmod(file, 0);
        assertEquals(0, posix.lstat(file).permissions());
    }

    @Test
    void lchownChangesTheOwnerOfAFileAndOfASymlinkItself() throws Exception {
        assumeTrue(isRoot(), "needs root");
        byte[] file = path("f");
        byte[] link = path("l");
        createFile(file, new byte[0]);
        posix.symlink(PathBytes.of("f"), link);

        posix.lchown(file, 1234, 4321);
        posix.lchown(link, 2345, 5432);

        Stat sf = posix.lstat(file);
        Stat sl = posix.lstat(link);
        assertEquals(1234, sf.uid());
        assertEquals(4321, sf.gid());
        assertEquals(2345, sl.uid());
        assertEquals(5432, sl.gid());
        posix.lchown(file, -1, 77);
        assertEquals(1234, posix.lstat(file).uid());
        assertEquals(77, posix.lstat(file).gid());
    }

    @Test
    void setTimesStoresNanosecondsOnAFileADirectoryAndASymlink() throws Exception {
        byte[] file = path("f");
        byte[] sub = path("d");
        byte[] link = path("l");
        createFile(file, new byte[0]);
        posix.mkdir(sub, 0755);
        posix.symlink(PathBytes.of("f"), link);
        long fileMtime = posix.lstat(file).mtimeNs();

        posix.setTimes(file, 1_600_000_000_987654321L, 1_700_000_000_123456789L, false);
        posix.setTimes(sub, 1_700_000_001_000000001L, 1_700_000_002_999999999L, false);
        posix.setTimes(link, 1_500_000_000_000000007L, 1_234_567_890_123456789L, true);

        Stat sf = posix.lstat(file);
        assertEquals(1_600_000_000_987654321L, sf.atimeNs());
        assertEquals(1_700_000_000_123456789L, sf.mtimeNs());
        Stat sd = posix.lstat(sub);
        assertEquals(1_700_000_001_000000001L, sd.atimeNs());
        assertEquals(1_700_000_002_999999999L, sd.mtimeNs());
        Stat sl = posix.lstat(link);
        assertEquals(1_500_000_000_000000007L, sl.atimeNs());
        assertEquals(1_234_567_890_123456789L, sl.mtimeNs());
        assertEquals(1_700_000_000_123456789L, posix.lstat(file).mtimeNs(), "the link's target is untouched");
        assertNotEquals(fileMtime, sf.mtimeNs());
    }

    @Test
    void setTimesStoresTimesBeforeTheEpoch() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);
        long beforeEpoch = -123_456_789_012L; // 1969-12-31T23:57:56.543210988Z

        posix.setTimes(file, -1L, beforeEpoch, false);

        Stat st = posix.lstat(file);
        assertEquals(-1L, st.atimeNs());
        assertEquals(beforeEpoch, st.mtimeNs());
    }

    @Test
    void setTimesWithoutNoFollowChangesTheSymlinkTarget() throws Exception {
        byte[] file = path("f");
        byte[] link = path("l");
        createFile(file, new byte[0]);
        posix.symlink(PathBytes.of("f"), link);

        posix.setTimes(link, 1_000_000_000_000000001L, 1_000_000_000_000000002L, false);

        assertEquals(1_000_000_000_000000002L, posix.lstat(file).mtimeNs());
    }

    @Test
    void lstatAgreesWithTheJdkForARegularFile() throws Exception {
        Path file = Files.write(tmp.resolve("f"), new byte[12345]);

        Stat st = posix.lstat(PathBytes.of(file.toString()));

        Map<String, Object> unix = Files.readAttributes(file, "unix:*");
        assertEquals(((Number) unix.get("ino")).longValue(), st.ino());
        assertEquals(((Number) unix.get("dev")).longValue(), st.dev());
        assertEquals(((Number) unix.get("mode")).intValue(), st.mode());
        assertEquals(((Number) unix.get("nlink")).longValue(), st.nlink());
        assertEquals(((Number) unix.get("uid")).intValue(), st.uid());
        assertEquals(((Number) unix.get("gid")).intValue(), st.gid());
        assertEquals(12345, st.size());
        assertTrue(st.blocks512() > 0);
        long ctimeNs = ((FileTime) unix.get("ctime")).to(TimeUnit.NANOSECONDS);
        assertEquals(ctimeNs, st.ctimeNs());
    }

    // ------------------------------------------------------------------ xattrs

    @Test
    void userXattrsRoundTripIncludingBinaryAndEmptyValues() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);
        byte[] binary = new byte[256];
        for (int i = 0; i < 256; i++) {
            binary[i] = (byte) i;
        }
        byte[] nonUtf8Name = join(PathBytes.of("user"), BAD_UTF8);
        nonUtf8Name[4] = '.';

        posix.setXattr(file, PathBytes.of("user.bin"), binary);
        posix.setXattr(file, PathBytes.of("user.empty"), new byte[0]);
        posix.setXattr(file, nonUtf8Name, PathBytes.of("odd"));

        Set<String> listed = new HashSet<>();
        for (byte[] n : posix.listXattrs(file)) {
            listed.add(PathBytes.printable(n));
        }
        assertTrue(listed.containsAll(Set.of("user.bin", "user.empty", "user.a\\xff\\xfez")), listed.toString());
        assertArrayEquals(binary, posix.getXattr(file, PathBytes.of("user.bin")));
        assertArrayEquals(new byte[0], posix.getXattr(file, PathBytes.of("user.empty")));
        assertArrayEquals(PathBytes.of("odd"), posix.getXattr(file, nonUtf8Name));
        posix.setXattr(file, PathBytes.of("user.bin"), PathBytes.of("replaced"));
        assertArrayEquals(PathBytes.of("replaced"), posix.getXattr(file, PathBytes.of("user.bin")));
    }

    @Test
    void getXattrOfAMissingAttributeFailsWithEnodata() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);

        PosixException e = assertThrows(PosixException.class,
                () -> posix.getXattr(file, PathBytes.of("user.absent")));

        assertEquals(PosixException.ENODATA, e.errno());
        assertEquals("lgetxattr", e.call());
        assertTrue(e.getMessage().startsWith("lgetxattr " + PathBytes.printable(file) + " user.absent: "),
                e.getMessage());
    }

    @Test
    void listXattrsOfAFileWithoutAttributesIsEmpty() throws Exception {
        byte[] link = path("l");
        posix.symlink(PathBytes.of("nowhere"), link);

        assertEquals(List.of(), posix.listXattrs(link));
    }

    @Test
    void largeXattrValuesAreReadCompletely() throws Exception {
        byte[] file = path("f");
        createFile(file, new byte[0]);
        byte[] big = new byte[3000]; // fits an ext4 block together with the name
        Arrays.fill(big, (byte) 0x5a);

        posix.setXattr(file, PathBytes.of("user.big"), big);

        assertArrayEquals(big, posix.getXattr(file, PathBytes.of("user.big")));
    }

    // ------------------------------------------------------------------ file data

    @Test
    void sparseFileDataAndHoleAreFoundWithSeekDataAndSeekHole() throws Exception {
        byte[] file = path("sparse");
        long tenMiB = 10L << 20;
        int fd = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_CLOEXEC, 0644);
        try {
            posix.pwrite(fd, direct(new byte[] {42}), tenMiB);

            Stat st = posix.fstat(fd);
            assertEquals(tenMiB + 1, st.size());
            assertTrue(st.blocks512() < 64, "blocks: " + st.blocks512());
            assertEquals(0, posix.seekHole(fd, 0));
            long data = posix.seekData(fd, 0);
            assertTrue(data <= tenMiB && data > tenMiB - (1 << 16), "data at " + data);
            assertEquals(tenMiB + 1, posix.seekHole(fd, data));
            assertEquals(-1, posix.seekData(fd, tenMiB + 1));
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            assertEquals(1, posix.pread(fd, one, tenMiB));
            assertEquals(42, one.get(0));
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void preadAndPwriteMoveTheBufferPositionAndPreadReturnsZeroAtEndOfFile() throws Exception {
        byte[] file = path("f");
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        int fd = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_TRUNC, 0600);
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(content.length + 10);
            out.position(10);
            out.put(content);
            out.position(10);

            assertEquals(content.length, posix.pwrite(fd, out, 0));
            assertFalse(out.hasRemaining());

            ByteBuffer in = ByteBuffer.allocateDirect(content.length + 5);
            in.position(5);
            int total = 0;
            while (in.hasRemaining()) {
                int n = posix.pread(fd, in, total);
                if (n == 0) {
                    break;
                }
                total += n;
            }
            assertEquals(content.length, total);
            assertEquals(content.length + 5, in.position());
            byte[] back = new byte[content.length];
            in.get(5, back);
            assertArrayEquals(content, back);
            assertEquals(0, posix.pread(fd, ByteBuffer.allocateDirect(10), content.length));

            posix.ftruncate(fd, 7);
            posix.fsync(fd);
            posix.fadviseSequential(fd);
            posix.fadviseDontNeed(fd, 0, 0);
            assertEquals(7, posix.fstat(fd).size());
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void heapBuffersAreRejected() throws Exception {
        byte[] file = path("f");
        int fd = posix.open(file, Posix.O_RDWR | Posix.O_CREAT, 0600);
        try {
            assertThrows(IllegalArgumentException.class, () -> posix.pread(fd, ByteBuffer.allocate(4), 0));
            assertThrows(IllegalArgumentException.class, () -> posix.pwrite(fd, ByteBuffer.allocate(4), 0));
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void openWithNoFollowRefusesASymlink() throws Exception {
        byte[] file = path("f");
        byte[] link = path("l");
        createFile(file, new byte[0]);
        posix.symlink(PathBytes.of("f"), link);

        PosixException e = assertThrows(PosixException.class,
                () -> posix.open(link, Posix.O_RDONLY | Posix.O_NOFOLLOW, 0));

        assertEquals(PosixException.ELOOP, e.errno());
    }

    @Test
    void openWithDirectoryAndNoAtimeFlagsWorksForTheOwner() throws Exception {
        int fd = posix.open(dir, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOATIME | Posix.O_CLOEXEC, 0);
        try {
            assertTrue(posix.fstat(fd).isDirectory());
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void closingADescriptorThatIsNotOpenFailsWithEbadf() throws Exception {
        // not the descriptor just closed: another thread of the test JVM may be given that number at once
        int fd = 999_999;

        PosixException e = assertThrows(PosixException.class, () -> posix.close(fd));

        assertEquals(PosixException.EBADF, e.errno());
        assertNull(e.path());
        assertEquals("close fd " + fd + ": " + Errno.message(PosixException.EBADF) + " (EBADF)", e.getMessage());
    }

    // ------------------------------------------------------------------ creating, renaming, removing

    @Test
    void renameMovesAndUnlinkAndRmdirRemove() throws Exception {
        byte[] a = path("a");
        byte[] b = join(dir, BAD_UTF8);
        byte[] sub = path("d");
        createFile(a, new byte[0]);
        posix.mkdir(sub, 0755);

        posix.rename(a, b);
        assertThrows(PosixException.class, () -> posix.lstat(a));
        assertTrue(posix.lstat(b).isRegular());
        posix.unlink(b);
        posix.rmdir(sub);

        assertEquals(List.of(), posix.readDir(dir));
    }

    @Test
    void mkdirOfAnExistingNameFailsWithEexist() throws Exception {
        byte[] sub = path("d");
        posix.mkdir(sub, 0755);

        PosixException e = assertThrows(PosixException.class, () -> posix.mkdir(sub, 0755));

        assertTrue(e.isAlreadyExists());
        assertEquals("mkdir", e.call());
    }

    @Test
    void symlinkOverAnExistingNameReportsBothPaths() throws Exception {
        byte[] link = path("l");
        createFile(link, new byte[0]);

        PosixException e = assertThrows(PosixException.class, () -> posix.symlink(BAD_UTF8, link));

        assertTrue(e.isAlreadyExists());
        assertArrayEquals(link, e.path());
        assertTrue(e.getMessage().startsWith("symlink " + PathBytes.printable(link) + " -> a\\xff\\xfez: "),
                e.getMessage());
    }

    @Test
    void umaskReturnsThePreviousMask() {
        int old = posix.umask(027);
        try {
            assertEquals(027, posix.umask(022));
        } finally {
            posix.umask(old);
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void errorsNameTheCallAndThePathAndMapEnoent() throws Exception {
        byte[] missing = join(join(dir, BAD_UTF8), PathBytes.of("x"));

        PosixException e = assertThrows(PosixException.class, () -> posix.lstat(missing));

        assertEquals(PosixException.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.isNotFound());
        assertFalse(e.isPermissionDenied());
        assertFalse(e.isNotSupported());
        assertEquals("lstat", e.call());
        assertArrayEquals(missing, e.path());
        String printable = tmp + "/a\\xff\\xfez/x";
        assertEquals("lstat " + printable + ": " + Errno.message(PosixException.ENOENT) + " (ENOENT)",
                e.getMessage());
        assertFalse(Errno.message(PosixException.ENOENT).isEmpty());
    }

    @Test
    void errnoMessagesComeFromStrerror() {
        String locale = System.getenv().getOrDefault("LC_ALL", System.getenv().getOrDefault("LANG", "C"));
        assumeTrue(locale.isEmpty() || locale.equals("C") || locale.startsWith("C.") || locale.startsWith("en")
                || locale.equals("POSIX"), "English messages only in an English or C locale");

        assertEquals("No such file or directory", Errno.message(PosixException.ENOENT));
        assertEquals("Permission denied", Errno.message(PosixException.EACCES));
    }

    @Test
    void pathsWithANulByteAreRejectedWithEinval() {
        byte[] bad = {'/', 't', 'm', 'p', 0, 'x'};

        PosixException e = assertThrows(PosixException.class, () -> posix.lstat(bad));

        assertEquals(PosixException.EINVAL, e.errno());
        assertEquals("lstat", e.call());
        assertTrue(e.getMessage().contains("/tmp\\x00x"), e.getMessage());
    }

    @Test
    void fstatOfABadDescriptorNamesTheDescriptor() {
        PosixException e = assertThrows(PosixException.class, () -> posix.fstat(-5));

        assertEquals(PosixException.EBADF, e.errno());
        assertTrue(e.getMessage().startsWith("fstat fd -5: "), e.getMessage());
    }

    @Test
    void callsFromManyThreadsDoNotInterfere() throws Exception {
        int threads = 8;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            byte[] own = path("t" + t);
            posix.mkdir(own, 0755);
            Thread w = new Thread(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        byte[] name = join(own, PathBytes.of("n" + i));
                        posix.symlink(name, name);
                        assertArrayEquals(name, posix.readlink(name));
                        assertTrue(posix.lstat(name).isSymlink());
                    }
                    assertEquals(300, posix.readDir(own).size());
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(threads, posix.readDir(dir).size());
    }
}
