package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a repository's chunk index: from the index files, or the local cache and the files written
 * since, with the packs the backend lists. Packs an index names that are missing or too short are
 * damage: their chunks do not count as available, and where a chunk is also in a good pack, the
 * good copy is the one found.
 */
final class IndexLoader {
  private static final Logger LOG = LoggerFactory.getLogger(IndexLoader.class);
  /** Entries in index files newer than the cache that make it worth rebuilding (or a quarter of it). */
  private static final int REBUILD_CACHE_AT = 10_000;

  private IndexLoader() {}

  /**
   * Reads every index file (or the local cache of what they held, and the files written since) and
   * lists the packs; with {@code adopt}, also indexes complete packs no index lists (a crashed
   * writer's) and writes their index — only a writer, under its lock, adopts.
   *
   * @param skip packs never to adopt (this process's writers are still indexing them)
   */
  static ChunkIndex load(Repository repo, @Nullable IndexCache cache, boolean adopt, Set<String> skip)
      throws IOException {
    Backend backend = repo.backend();
    Set<String> names = new TreeSet<>();
    for (Backend.ObjectInfo o : backend.list(Repository.INDEX_PREFIX)) {
      names.add(o.name());
    }
    Map<String, Long> present = new HashMap<>();
    for (Backend.ObjectInfo o : backend.list(Repository.DATA_PREFIX)) {
      present.put(Repository.packOf(o.name()), o.size());
    }
    IndexCache.Cached cached = cache == null ? null : cache.load(names);
    Map<String, String> damaged = new LinkedHashMap<>();
    if (cached != null && !damage(cached.table().parts(), present).isEmpty()) {
      cached = null; // built when those packs were whole: rebuild, so that good copies of their chunks win
    }
    IndexCache.Cached base = cached;
    Map<String, List<ChunkTable.Part>> read = readIndexFiles(backend, base == null ? names
        : names.stream().filter(n -> !base.files().contains(n)).toList());
    List<ChunkTable> tables = new ArrayList<>();
    long newer = read.values().stream().flatMap(List::stream).mapToLong(ChunkTable.Part::count).sum();
    if (base != null && newer <= Math.max(REBUILD_CACHE_AT, base.table().size() / 4)) {
      tables.add(base.table());
      List<ChunkTable.Part> parts = ordered(read, present, damaged);
      tables.add(ChunkTable.build(parts));
    } else {
      if (base != null) {
        read = readIndexFiles(backend, names); // enough was written since the cache: one new table of everything
      }
      ChunkTable all = ChunkTable.build(ordered(read, present, damaged));
      tables.add(all);
      if (cache != null && all.size() > 0 && damaged.isEmpty()) {
        cache.save(all, read.keySet());
      }
    }
    Set<String> packs = new HashSet<>();
    for (ChunkTable t : tables) {
      for (ChunkTable.Part p : t.parts()) {
        packs.add(p.pack());
      }
    }
    if (!damaged.isEmpty()) {
      LOG.warn("repository {}: {} pack(s) an index lists are damaged, e.g. {}: {}", backend.location(), damaged.size(),
          damaged.keySet().iterator().next(), damaged.values().iterator().next());
    }
    // a pack cut short is damaged as a whole (its trailer is gone): none of its chunks counts as there
    Map<String, Long> whole = new HashMap<>(present);
    whole.keySet().removeAll(damaged.keySet());
    ChunkIndex idx = new ChunkIndex(tables, packs, names, whole, damaged);
    if (adopt) {
      adopt(repo, idx, present, skip);
    }
    return idx;
  }

  /** Indexes the complete packs no index lists (a killed writer's), after verifying each whole. */
  private static void adopt(Repository repo, ChunkIndex idx, Map<String, Long> present, Set<String> skip)
      throws IOException {
    Backend backend = repo.backend();
    Map<String, List<PackFormat.Entry>> adopted = new LinkedHashMap<>();
    for (Map.Entry<String, Long> p : present.entrySet()) {
      String pack = p.getKey();
      if (idx.hasPack(pack) || skip.contains(pack)) {
        continue;
      }
      try {
        ByteBuffer whole = backend.get(Repository.packObject(pack));
        List<PackFormat.Entry> entries = PackVerifier.verify(whole, pack);
        idx.addPack(pack, entries, whole.remaining());
        adopted.put(pack, entries);
      } catch (NoSuchFileException e) {
        // deleted meanwhile
      } catch (IntegrityException e) {
        LOG.warn("pack {} is damaged; leaving it for check: {}", pack, e.getMessage());
      }
    }
    if (!adopted.isEmpty()) {
      LOG.info("adopted {} pack(s) that no index listed (left by an interrupted cycle)", adopted.size());
      repo.writeIndex(adopted);
    }
  }

  /** The parts of every file, those of damaged packs last (a table keeps the first entry of an id). */
  private static List<ChunkTable.Part> ordered(Map<String, List<ChunkTable.Part>> read, Map<String, Long> present,
      Map<String, String> damaged) {
    List<ChunkTable.Part> good = new ArrayList<>();
    List<ChunkTable.Part> bad = new ArrayList<>();
    for (List<ChunkTable.Part> parts : read.values()) {
      Map<String, String> d = damage(parts, present);
      damaged.putAll(d);
      for (ChunkTable.Part p : parts) {
        (d.containsKey(p.pack()) ? bad : good).add(p);
      }
    }
    good.addAll(bad);
    return good;
  }

  /** The packs of {@code parts} that are missing or shorter than their chunks, with why. */
  static Map<String, String> damage(Collection<ChunkTable.Part> parts, Map<String, Long> present) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ChunkTable.Part p : parts) {
      Long size = present.get(p.pack());
      if (size == null) {
        out.put(p.pack(), "missing (an index lists " + p.count() + " chunk(s) in it)");
      } else if (size < p.leastPackSize()) {
        out.put(p.pack(), "cut short: " + size + " bytes, at least " + p.leastPackSize() + " expected");
      }
    }
    return out;
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
