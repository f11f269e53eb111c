package dev.smc.transfer.repo;

import dev.smc.spi.ChunkId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which chunks the repository holds and where. Thread-safe. */
final class ChunkIndex {
  private final ConcurrentHashMap<ChunkId, Location> chunks;

  ChunkIndex() {
    this(16);
  }

  /** An index sized for {@code expected} chunks, so loading it never rehashes. */
  ChunkIndex(int expected) {
    chunks = new ConcurrentHashMap<>(Math.max(16, expected + expected / 3));
  }
  private final Set<String> packs = ConcurrentHashMap.newKeySet();

  void addPack(String pack, List<PackFormat.Entry> entries) {
    packs.add(pack);
    for (PackFormat.Entry e : entries) {
      chunks.putIfAbsent(e.id(), e.at(pack));
    }
  }

  void addAll(Map<String, List<PackFormat.Entry>> packs) {
    packs.forEach(this::addPack);
  }

  Location get(ChunkId id) {
    return chunks.get(id);
  }

  boolean contains(ChunkId id) {
    return chunks.containsKey(id);
  }

  boolean hasPack(String pack) {
    return packs.contains(pack);
  }

  Set<String> packs() {
    return packs;
  }

  int size() {
    return chunks.size();
  }
}
