package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a repository's chunk index: from the index files, or the local cache and the files written since. */
final class IndexLoader {
  private static final Logger LOG = LoggerFactory.getLogger(IndexLoader.class);
  /** Entries in index files newer than the cache that make it worth rebuilding (or a quarter of it). */
  private static final int REBUILD_CACHE_AT = 10_000;

  private IndexLoader() {}

  /**
   * Reads every index file (or the local cache of what they held, and the files written since);
   * with {@code adopt}, also indexes complete packs no index lists (a crashed writer's).
   */
  static ChunkIndex load(Repository repo, @Nullable IndexCache cache, boolean adopt) throws IOException {
    Backend backend = repo.backend();
    Set<String> names = new java.util.TreeSet<>();
    for (Backend.ObjectInfo o : backend.list(Repository.INDEX_PREFIX)) {
      names.add(o.name());
    }
    IndexCache.Cached cached = cache == null ? null : cache.load(names);
    Map<String, List<ChunkTable.Part>> read = readIndexFiles(backend, cached == null ? names
        : names.stream().filter(n -> !cached.files().contains(n)).toList());
    List<ChunkTable> tables = new ArrayList<>();
    long newer = read.values().stream().flatMap(List::stream).mapToLong(ChunkTable.Part::count).sum();
    if (cached != null && newer <= Math.max(REBUILD_CACHE_AT, cached.table().size() / 4)) {
      tables.add(cached.table());
      tables.add(ChunkTable.build(read.values().stream().flatMap(List::stream).toList()));
    } else {
      if (cached != null) {
        read = readIndexFiles(backend, names); // enough was written since the cache: one new table of everything
      }
      ChunkTable all = ChunkTable.build(read.values().stream().flatMap(List::stream).toList());
      tables.add(all);
      if (cache != null && all.size() > 0) {
        cache.save(all, read.keySet());
      }
    }
    Set<String> packs = new HashSet<>();
    for (ChunkTable t : tables) {
      for (ChunkTable.Part p : t.parts()) {
        packs.add(p.pack());
      }
    }
    ChunkIndex idx = new ChunkIndex(tables, packs);
    if (adopt) {
      Map<String, List<PackFormat.Entry>> adopted = new LinkedHashMap<>();
      for (Backend.ObjectInfo o : backend.list(Repository.DATA_PREFIX)) {
        String pack = Repository.packOf(o.name());
        if (idx.hasPack(pack)) {
          continue;
        }
        try {
          ByteBuffer whole = backend.get(o.name());
          List<PackFormat.Entry> entries = PackVerifier.verify(whole, pack);
          idx.addPack(pack, entries);
          adopted.put(pack, entries);
        } catch (NoSuchFileException e) {
          // deleted meanwhile
        } catch (IntegrityException e) {
          LOG.warn("pack {} is damaged; leaving it for check: {}", o.name(), e.getMessage());
        }
      }
      if (!adopted.isEmpty()) {
        LOG.info("adopted {} pack(s) that no index listed (left by an interrupted cycle)", adopted.size());
        repo.writeIndex(adopted);
      }
    }
    return idx;
  }

  /** The entries of index files, by file name, read on all cores; files gone or damaged are left out. */
  private static Map<String, List<ChunkTable.Part>> readIndexFiles(Backend backend, Collection<String> names)
      throws IOException {
    Map<String, List<ChunkTable.Part>> out = new java.util.concurrent.ConcurrentSkipListMap<>();
    try {
      names.parallelStream().forEach(name -> {
        try {
          List<ChunkTable.Part> parts = new ArrayList<>();
          IndexFormat.scan(backend.get(name), name, (pack, entries, n) -> parts.add(new ChunkTable.Part(pack, entries, n)));
          out.put(name, parts);
        } catch (NoSuchFileException e) {
          // removed by a concurrent garbage collection after it wrote its replacement
        } catch (IntegrityException e) {
          LOG.warn("skipping damaged index file {}: {}", name, e.getMessage());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }
}
