package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.RandomTree;
import dev.smc.transfer.files.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cache of the chunk table: written on first open, used with the index files written
 * since, rebuilt when a garbage collection replaced the indexes it covers or when it is damaged;
 * every image restores exactly whatever state the cache is in.
 */
class IndexCacheTest {
  @TempDir
  Path tmp;

  private final FileMigration engine = FileMigration.builder().threads(2).build();

  private Repository open(Path repo) throws Exception {
    return Repository.open(LocalFolderBackend.openWithoutSync(repo), Repository.options().cacheDir(tmp.resolve("cache"))
        .packSize(64 * 1024));
  }

  private Path cacheFile(Repository repo) {
    return tmp.resolve("cache").resolve(repo.id()).resolve("index.table");
  }

  /** The latest image restores to the source, and the repository checks clean. */
  private void assertLatestRestores(Repository repo, Path src, String last) throws Exception {
    for (ImageInfo i : repo.images()) {
      if (i.ref().toString().equals(last)) {
        assertEquals(List.of(), Trees.restoreAndCompare(repo, i.ref(), tmp.resolve("r-" + i.ref() + System.nanoTime()),
            src));
      }
    }
    assertTrue(repo.check(false).ok(), repo.check(false).toString());
  }

  @Test
  void theCacheFollowsNewIndexesGarbageCollectionAndDamage() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Path repoDir = tmp.resolve("repo");
    new RandomTree(src, 7).create(25);
    String last;
    try (Repository repo = open(repoDir)) {
      last = engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS).image().toString();
    }
    // a second open builds the table from the index files and caches it
    Path cache;
    try (Repository repo = open(repoDir)) {
      repo.index();
      cache = cacheFile(repo);
      assertTrue(Files.size(cache) > 0);
      assertLatestRestores(repo, src, last);
    }
    java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(cache);
    // new data in new index files: the cache serves, the new files are read on top of it; half the old
    // files go, so that their chunks are garbage once the first image is forgotten
    try (Stream<Path> files = Files.walk(src)) {
      List<Path> regular = files.filter(Files::isRegularFile).sorted().toList();
      for (int i = 0; i < regular.size(); i += 2) {
        Files.delete(regular.get(i));
      }
    }
    new RandomTree(src, 8).create(10);
    try (Repository repo = open(repoDir)) {
      last = engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS).image().toString();
    }
    try (Repository repo = open(repoDir)) {
      assertLatestRestores(repo, src, last);
    }
    assertEquals(built, Files.getLastModifiedTime(cache), "a few new index files rebuilt the cache");
    // a garbage collection rewrites the indexes: the cache is stale and rebuilt, and still right
    try (Repository repo = open(repoDir)) {
      repo.forget("web", 1);
      GarbageCollector.Result gc = repo.gc();
      assertTrue(gc.plan().delete().size() + gc.plan().repack().size() > 0, "nothing to collect: " + gc.plan());
    }
    try (Repository repo = open(repoDir)) {
      assertLatestRestores(repo, src, last);
    }
    assertTrue(Files.getLastModifiedTime(cache).compareTo(built) > 0, "the stale cache was not rebuilt");
    // damage: the cache is ignored and rewritten
    try (Repository repo = open(repoDir)) {
      Path f = cacheFile(repo);
      byte[] b = Files.readAllBytes(f);
      b[b.length / 2] ^= 1;
      Files.write(f, b);
    }
    try (Repository repo = open(repoDir)) {
      assertLatestRestores(repo, src, last);
      new RandomTree(src, 9).create(5);
      last = engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS).image().toString();
      assertLatestRestores(repo, src, last);
    }
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      assertEquals(1, s.count(), "one cache folder per repository");
    }
  }
}
