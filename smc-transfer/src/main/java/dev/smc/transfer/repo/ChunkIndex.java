package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * Which chunks the repository holds and where: compact {@link ChunkTable}s of what the index files
 * held when loaded, and a map of the packs added since, folded into another table when it grows.
 * It also knows which packs the backend listed, with their sizes, so a chunk counts as
 * <em>available</em> only when an index lists it in a pack that exists and is long enough to
 * hold it: an image must never be committed on a chunk the repository cannot produce. Where a
 * chunk is stored twice (a lost copy and the copy that replaced it), the available one is found.
 * Thread-safe: lookups take no lock.
 */
final class ChunkIndex {
  /** Packs added since the table was built, before a fold. */
  private static final int FOLD_AT = 1_000_000;

  private volatile List<ChunkTable> tables;
  private final ConcurrentHashMap<ChunkId, Location> added = new ConcurrentHashMap<>();
  private final Set<String> packs = ConcurrentHashMap.newKeySet();
  private final Set<String> files;
  /** Packs the backend listed and their sizes; null when not listed (everything indexed counts as there). */
  @Nullable private final ConcurrentHashMap<String, Long> present;
  private final Map<String, String> damaged = new ConcurrentHashMap<>();

  ChunkIndex() {
    this(List.of(), Set.of(), Set.of(), null, Map.of());
  }

  /**
   * @param files the index files the tables were read from
   * @param present the packs in the backend and their sizes, or null when unknown
   * @param damaged packs an index lists that are missing or shorter than their chunks, with why
   */
  ChunkIndex(List<ChunkTable> tables, Set<String> packs, Set<String> files, @Nullable Map<String, Long> present,
      Map<String, String> damaged) {
    this.tables = List.copyOf(tables);
    this.packs.addAll(packs);
    this.files = Set.copyOf(files);
    this.present = present == null ? null : new ConcurrentHashMap<>(present);
    this.damaged.putAll(damaged);
  }

  /** Adds a pack that is now stored, {@code size} bytes long. */
  void addPack(String pack, List<PackFormat.Entry> entries, long size) {
    if (present != null) {
      present.put(pack, size);
    }
    for (PackFormat.Entry e : entries) {
      Location now = get(e.id());
      if (now == null || !isThere(now)) {
        added.put(e.id(), e.at(pack));
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

  /** Where the chunk is stored (an available copy where there is one), or null when no index lists it. */
  @Nullable
  Location get(ChunkId id) {
    List<ChunkTable> t = tables;
    Location best = find(t, id);
    if ((best == null || !isThere(best)) && tables != t) {
      // a fold moved entries from the map to a new table between the looks
      Location again = find(tables, id);
      if (again != null) {
        best = again;
      }
    }
    return best;
  }

  @Nullable
  private Location find(List<ChunkTable> t, ChunkId id) {
    Location lost = null;
    for (ChunkTable table : t) {
      Location l = table.get(id);
      if (l != null) {
        if (isThere(l)) {
          return l;
        }
        lost = lost == null ? l : lost;
      }
    }
    Location a = added.get(id);
    return a != null && (lost == null || isThere(a)) ? a : lost;
  }

  /** Whether the pack of {@code l} exists and holds its bytes. */
  boolean isThere(Location l) {
    if (present == null) {
      return true;
    }
    Long size = present.get(l.pack());
    return size != null && (long) l.offset() + l.storedLength() <= size;
  }

  /** Whether an index lists the chunk (in any pack, also a lost one). */
  boolean contains(ChunkId id) {
    return get(id) != null;
  }

  /** Whether the repository can produce the chunk: indexed in a pack that exists and holds it. */
  boolean available(ChunkId id) {
    if (damaged.isEmpty()) {
      // every pack an index lists was there and whole when loaded, and packs added since are: indexed is enough,
      // and a probe of the tables costs no Location (a no-change cycle asks this once for every chunk)
      return indexed(id);
    }
    Location l = get(id);
    return l != null && isThere(l);
  }

  private boolean indexed(ChunkId id) {
    for (ChunkTable t : tables) {
      if (t.contains(id)) {
        return true;
      }
    }
    return added.containsKey(id) || tablesContain(id);
  }

  /** A fold may have moved an entry from the map to a new table between the looks. */
  private boolean tablesContain(ChunkId id) {
    for (ChunkTable t : tables) {
      if (t.contains(id)) {
        return true;
      }
    }
    return false;
  }

  boolean hasPack(String pack) {
    return packs.contains(pack);
  }

  Set<String> packs() {
    return packs;
  }

  /** The index files this index was read from. */
  Set<String> files() {
    return files;
  }

  /** Packs an index lists that were missing, cut short or found damaged, with why. */
  Map<String, String> damaged() {
    return Map.copyOf(damaged);
  }

  /** Whether the pack was found missing, cut short or damaged. */
  boolean isDamaged(String pack) {
    return damaged.containsKey(pack);
  }

  /** Takes a pack found damaged out of use: its chunks are no longer available. */
  void markDamaged(String pack, String why) {
    if (present != null) {
      present.remove(pack);
    }
    damaged.put(pack, why);
  }

  /** The packs the backend listed and their sizes (empty when not listed). */
  Map<String, Long> present() {
    return present == null ? Map.of() : Map.copyOf(present);
  }

  int size() {
    return tables.stream().mapToInt(ChunkTable::size).sum() + added.size();
  }
}
