package dev.smc.transfer.files;

import static dev.smc.transfer.files.Trees.POSIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.CycleReport;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.PosixException;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Excluded entries are not in the image (nor anything below an excluded folder); everything else is. */
class FileMigrationExcludesTest {
  private static final List<String> PATTERNS = List.of("var/cache/", "*.tmp", "/etc/secret", "home/*/.cache/",
      "**/node_modules/");

  private static final List<String> EXCLUDED = List.of(
      "var/cache", "var/cache/apt/pkgcache.bin",
      "a.tmp", "deep/er/still.tmp", "build.tmp", "build.tmp/out.o",
      "etc/secret",
      "home/alice/.cache", "home/alice/.cache/thumbs/1.png", "home/bob/.cache/x",
      "src/app/node_modules", "src/app/node_modules/left-pad/index.js", "node_modules", "node_modules/top.js");

  private static final List<String> KEPT = List.of(
      "var/log/syslog", "srv/var/cache/kept", "opt/cache/kept",
      "tmp.keep", "a.tmp.txt",
      "etc/secrets", "etc/secret.d/kept", "srv/etc/secret",
      "home/.cache/kept", "home/alice/docs/.cache/kept", "home/carol/.cache",
      "src/node_modules_old/kept", "src/app/index.js");

  @TempDir
  Path tmp;

  @Test
  void excludedEntriesAreAbsentFromTheRestoredTreeAndEverythingElseIsThere() throws Exception {
    Path srcPath = Files.createDirectory(tmp.resolve("src"));
    byte[] src = Trees.bytes(srcPath);
    for (String f : concat(EXCLUDED, KEPT)) {
      byte[] p = Trees.join(src, f);
      Trees.mkdirs(parent(p));
      boolean isFolder = concat(EXCLUDED, KEPT).stream().anyMatch(o -> o.startsWith(f + "/"));
      if (isFolder) {
        Trees.mkdirs(p);
      } else {
        Trees.write(p, PathBytes.of("content of " + f + "\n"));
      }
    }
    Excludes excludes = Excludes.of(PATTERNS);
    try (Repository repo = Repository.open(new InMemoryBackend())) {
      CycleReport r = FileMigration.builder().threads(2).build().run(repo, srcPath, "ex", excludes,
          TransferOptions.DEFAULTS);
      assertEquals(List.of(), r.warnings());
      Path restored = tmp.resolve("restored");
      new FileRestore(2).restore(repo, r.image(), restored);
      byte[] out = Trees.bytes(restored);
      for (String f : EXCLUDED) {
        if (exists(Trees.join(out, f))) {
          fail(f + " is excluded by " + PATTERNS + " but was restored");
        }
      }
      for (String f : KEPT) {
        assertTrue(exists(Trees.join(out, f)), f + " is not excluded by " + PATTERNS + " but is missing");
      }
      assertEquals(List.of(), TreeCompare.differences(src, out, excludes),
          "the restored tree differs from the source without its excluded entries");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private static byte[] parent(byte[] p) {
    for (int i = p.length - 1; i > 0; i--) {
      if (p[i] == '/') {
        return java.util.Arrays.copyOf(p, i);
      }
    }
    throw new IllegalArgumentException(PathBytes.printable(p));
  }

  private static boolean exists(byte[] p) throws IOException {
    try {
      POSIX.lstat(p);
      return true;
    } catch (PosixException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
  }
}
