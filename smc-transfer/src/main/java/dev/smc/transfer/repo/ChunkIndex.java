package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which chunks the repository holds and where: compact {@link ChunkTable}s of what the index files
 * held when loaded, and a map of the packs added since, folded into another table when it grows.
 * Thread-safe: lookups take no lock.
 */
final class ChunkIndex {
  /** Packs added since the table was built, before a fold. */
  private static final int FOLD_AT = 1_000_000;

  private volatile List<ChunkTable> tables;
  private final ConcurrentHashMap<ChunkId, Location> added = new ConcurrentHashMap<>();
  private final Set<String> packs = ConcurrentHashMap.newKeySet();

  ChunkIndex() {
    this(List.of(), Set.of());
  }

  ChunkIndex(List<ChunkTable> tables, Set<String> packs) {
    this.tables = List.copyOf(tables);
    this.packs.addAll(packs);
  }

  void addPack(String pack, List<PackFormat.Entry> entries) {
    for (PackFormat.Entry e : entries) {
      if (inTables(tables, e.id()) == null) {
        added.putIfAbsent(e.id(), e.at(pack));
      }
    }
    packs.add(pack);
    if (added.size() > FOLD_AT) {
      fold();
    }
  }

  /** Builds a table of everything; only then drops the folded entries from the map. */
  private synchronized void fold() {
    Map<ChunkId, Location> snapshot = Map.copyOf(added);
    if (snapshot.size() <= FOLD_AT) {
      return;
    }
    List<ChunkTable> more = new java.util.ArrayList<>(tables);
    more.add(ChunkTable.build(ChunkTable.parts(snapshot.entrySet())));
    tables = List.copyOf(more);
    snapshot.keySet().forEach(added::remove);
  }

  Location get(ChunkId id) {
    List<ChunkTable> t = tables;
    Location l = inTables(t, id);
    if (l == null) {
      l = added.get(id);
      // a fold may have moved the entry from the map to a new table between the two looks
      List<ChunkTable> now = tables;
      if (l == null && now != t) {
        l = inTables(now, id);
      }
    }
    return l;
  }

  private static Location inTables(List<ChunkTable> tables, ChunkId id) {
    for (ChunkTable t : tables) {
      Location l = t.get(id);
      if (l != null) {
        return l;
      }
    }
    return null;
  }

  boolean contains(ChunkId id) {
    return get(id) != null;
  }

  boolean hasPack(String pack) {
    return packs.contains(pack);
  }

  Set<String> packs() {
    return packs;
  }

  int size() {
    return tables.stream().mapToInt(ChunkTable::size).sum() + added.size();
  }
}
