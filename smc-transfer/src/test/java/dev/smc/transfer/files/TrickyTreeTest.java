package dev.smc.transfer.files;

import static dev.smc.transfer.files.Trees.POSIX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.ImageRef;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Posix;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #2's tricky tree: three cycles of a tree with hard links, names that are not UTF-8, sparse
 * files, FIFOs, a socket, a device, owners, setuid/setgid/sticky, binary user xattrs, ns mtimes on
 * files and folders, a dangling symlink, an empty folder and a file changed in place with its size
 * and mtime kept. Each cycle's image restores equal to the source as it was at that cycle.
 */
class TrickyTreeTest {
  private static final byte[] NOT_UTF8 = {'f', (byte) 0xff, (byte) 0xfe};
  private static final byte[] NOT_UTF8_DIR = {'d', (byte) 0xc3, (byte) 0x28, '-', (byte) 0x80};
  private static final byte[] XATTR_VALUE = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 0, '\n', 0};
  private static final long SPARSE_SIZE = 64L << 20;
  private static final int IN_PLACE_SIZE = 200 * 1024;
  private static final long T0 = 1_600_000_000_123_456_789L;

  @TempDir
  Path tmp;

  private byte[] src;
  private final SplittableRandom rnd = new SplittableRandom(42);

  private byte[] p(String rel) {
    return Trees.join(src, rel);
  }

  private byte[] p(byte[] rel) {
    return PathBytes.join(src, rel);
  }

  private byte[] random(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  @Test
  void threeCyclesOfATrickyTreeEachRestoreExactlyAsTheSourceWasAtThatCycle() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    src = Trees.bytes(srcPath);
    makeTree();
    try (Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(tmp.resolve("repo")),
        Repository.options().packSize(1 << 20))) {
      FileMigration engine = FileMigration.builder().threads(2).build();
      TransferOptions options = TransferOptions.builder().compressionLevel(1).build();

      CycleReport r1 = engine.run(repo, srcPath, "tricky", Excludes.NONE, options);
      assertEquals(List.of(), r1.warnings());
      Trees.snapshot(srcPath, tmp.resolve("at-1"));

      changeForCycle2();
      CycleReport r2 = engine.run(repo, srcPath, "tricky", Excludes.NONE, options);
      assertEquals(List.of(), r2.warnings());
      assertTrue(r2.bytesRead() >= IN_PLACE_SIZE, "the file changed in place (size and mtime kept) was not read again: "
          + r2.bytesRead() + " bytes read");
      assertTrue(r2.filesReused() > 0, "cycle 2 reused no file");
      assertTrue(r2.bytesStored() < 2 << 20, "cycle 2 stored " + r2.bytesStored() + " bytes for small changes");
      Trees.snapshot(srcPath, tmp.resolve("at-2"));

      changeForCycle3();
      CycleReport r3 = engine.run(repo, srcPath, "tricky", Excludes.NONE, options);
      assertEquals(List.of(), r3.warnings());
      assertTrue(r3.bytesRead() >= IN_PLACE_SIZE, "the file changed in place again was not read: " + r3.bytesRead());
      Trees.snapshot(srcPath, tmp.resolve("at-3"));

      char[] inPlace = {'A', 'B', 'C'};
      for (int cycle = 1; cycle <= 3; cycle++) {
        Path restored = tmp.resolve("restored-" + cycle);
        List<String> diffs = Trees.restoreAndCompare(repo, new ImageRef("tricky", cycle), restored,
            tmp.resolve("at-" + cycle));
        assertEquals(List.of(), diffs, "tricky-CYCLE_" + cycle + " differs from the source at cycle " + cycle);
        byte[] r = Trees.bytes(restored);
        assertArrayEquals(filled(IN_PLACE_SIZE, inPlace[cycle - 1]), Trees.read(Trees.join(r, "in-place.txt")),
            "in-place.txt of cycle " + cycle);
        Stat sparse = POSIX.lstat(Trees.join(r, "sparse.img"));
        assertTrue(sparse.blocks512() * 512 < sparse.size() / 16, "restored sparse.img of cycle " + cycle
            + " is not sparse: " + sparse.blocks512() * 512 + " bytes allocated for " + sparse.size());
      }
      Checker.Report check = repo.check(true);
      assertTrue(check.ok(), "check --read-data: " + check.errors());
    }
  }

  private void makeTree() throws IOException {
    // hard links: a group of three names across folders, and a file with one name
    Trees.mkdirs(p("hl"));
    Trees.mkdirs(p("other"));
    Trees.write(p("hl/a"), random(100_000));
    POSIX.link(p("hl/a"), p("hl/b"));
    POSIX.link(p("hl/a"), p("other/c"));
    Trees.write(p("hl/single"), random(5000));

    // names that are not UTF-8, and other odd names
    Trees.write(p(NOT_UTF8), random(70_000));
    POSIX.mkdir(p(NOT_UTF8_DIR), 0755);
    byte[] odd = p(NOT_UTF8_DIR);
    for (String name : List.of("new\nline", "back\\slash", "sp ace", "ünïcödé", "-dash", "tab\tbed")) {
      Trees.write(Trees.join(odd, name), random(1 + rnd.nextInt(3000)));
    }

    // a sparse file: 64 MiB with three islands of data
    byte[] sparse = p("sparse.img");
    Trees.write(sparse, random(4096));
    Trees.writeAt(sparse, 10L << 20, random(70_000));
    Trees.writeAt(sparse, SPARSE_SIZE - 4096, random(4096));

    // special files
    POSIX.mknod(p("fifo"), Posix.S_IFIFO | 0640, 0);
    POSIX.lchown(p("fifo"), 1234, 4321);
    POSIX.mknod(p("socket"), Posix.S_IFSOCK | 0600, 0);
    try {
      POSIX.mknod(p("null-device"), Posix.S_IFCHR | 0666, Posix.makedev(1, 3));
    } catch (PosixException e) {
      // no CAP_MKNOD here (a container): the rest of the tree still counts
    }

    // owners and set-id and sticky bits
    Trees.write(p("owned"), random(3000));
    POSIX.lchown(p("owned"), 1234, 4321);
    POSIX.chmod(p("owned"), 0640);
    Trees.write(p("setuid"), random(2000));
    POSIX.chmod(p("setuid"), 04755);
    Trees.write(p("setgid"), random(2000));
    POSIX.lchown(p("setgid"), 0, 4321);
    POSIX.chmod(p("setgid"), 02711);
    POSIX.mkdir(p("sticky"), 0755);
    POSIX.chmod(p("sticky"), 01777);
    POSIX.mkdir(p("shared"), 0755);
    POSIX.lchown(p("shared"), 1234, 4321);
    POSIX.chmod(p("shared"), 02775);
    Trees.write(p("shared/inherits"), random(100));

    // extended attributes with binary values, on a file and a folder
    Trees.write(p("xattrs"), random(1000));
    POSIX.setXattr(p("xattrs"), PathBytes.of("user.binary"), XATTR_VALUE);
    POSIX.setXattr(p("xattrs"), PathBytes.of("user.empty"), new byte[0]);
    POSIX.setXattr(p("shared"), PathBytes.of("user.folder"), random(300));

    // links that lead nowhere, and an empty folder
    POSIX.symlink(PathBytes.of("/does/not/exist"), p("dangling"));
    POSIX.lchown(p("dangling"), 1234, 4321);
    POSIX.symlink(new byte[] {'.', '.', '/', (byte) 0xff}, p("odd-target"));
    POSIX.symlink(PathBytes.of("hl/a"), p("to-a"));
    POSIX.mkdir(p("empty"), 0700);

    // the file that will change in place with size and mtime kept
    Trees.write(p("in-place.txt"), filled(IN_PLACE_SIZE, 'A'));

    setNanosecondTimes(T0);
  }

  /** Every file and folder gets its own mtime with nanoseconds, folders last (their children change them). */
  private void setNanosecondTimes(long base) throws IOException {
    long t = base;
    for (String f : List.of("hl/a", "hl/single", "sparse.img", "fifo", "socket", "owned", "setuid", "setgid",
        "shared/inherits", "xattrs", "in-place.txt")) {
      if (exists(p(f))) {
        POSIX.setTimes(p(f), t, t += 1_000_001_111L, true);
      }
    }
    POSIX.setTimes(p(NOT_UTF8), t, t += 7_654_321L, true);
    for (String d : List.of("hl", "other", "sticky", "shared", "empty")) {
      if (exists(p(d))) {
        POSIX.setTimes(p(d), t, t += 3_000_000_007L, true);
      }
    }
    POSIX.setTimes(p(NOT_UTF8_DIR), t, t += 999_999_999L, true);
    POSIX.setTimes(src, t, t + 1, true);
  }

  private static boolean exists(byte[] path) throws PosixException {
    try {
      POSIX.lstat(path);
      return true;
    } catch (PosixException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
  }

  /** Rewrites a file's bytes, then puts its mtime back: only the ctime shows the change. */
  private void changeInPlaceKeepingSizeAndMtime(char c) throws IOException {
    byte[] f = p("in-place.txt");
    Stat before = POSIX.lstat(f);
    Trees.writeAt(f, 0, filled(IN_PLACE_SIZE, c));
    POSIX.setTimes(f, before.atimeNs(), before.mtimeNs(), true);
    Stat after = POSIX.lstat(f);
    assertEquals(before.size(), after.size());
    assertEquals(before.mtimeNs(), after.mtimeNs());
  }

  private void changeForCycle2() throws IOException {
    changeInPlaceKeepingSizeAndMtime('B');
    POSIX.lchown(p("owned"), 4321, 1234);
    POSIX.setXattr(p("xattrs"), PathBytes.of("user.binary"), new byte[] {(byte) 0x80, 0, 0, 1});
    // a FIFO becomes a file
    POSIX.unlink(p("fifo"));
    Trees.write(p("fifo"), random(100));
    // the group of three loses a name; the name comes back as a separate file with equal content
    byte[] content = Trees.read(p("other/c"));
    POSIX.unlink(p("other/c"));
    Trees.write(p("other/c"), content);
    // data lands in a hole
    Trees.writeAt(p("sparse.img"), 30L << 20, random(65_536));
    POSIX.chmod(p("setuid"), 0755);
    Trees.write(p(new byte[] {(byte) 0x80, (byte) 0x81, '.', 'b', 'i', 'n'}), random(9000));
    POSIX.unlink(p("dangling"));
    POSIX.symlink(PathBytes.of("/still/not/there"), p("dangling"));
    POSIX.lchown(p("dangling"), 4321, 1234);
    setNanosecondTimes(T0 + 86_400_000_000_123L);
  }

  private void changeForCycle3() throws IOException {
    changeInPlaceKeepingSizeAndMtime('C');
    POSIX.link(p("hl/a"), p("hl/d"));
    Trees.writeAt(p("hl/b"), 50_000, random(10)); // through another name of the group
    POSIX.rmdir(p("empty"));
    POSIX.mkdir(p("empty-again"), 0751);
    Trees.truncate(p("sparse.img"), SPARSE_SIZE - (1 << 20));
    POSIX.unlink(p("fifo"));
    POSIX.mknod(p("fifo"), Posix.S_IFIFO | 0600, 0);
    POSIX.chmod(p("sticky"), 0777);
    POSIX.setXattr(p("shared"), PathBytes.of("user.folder"), XATTR_VALUE);
    setNanosecondTimes(T0 + 2 * 86_400_000_000_321L);
    POSIX.setTimes(p("empty-again"), T0 - 5, T0 - 5, true);
  }
}
