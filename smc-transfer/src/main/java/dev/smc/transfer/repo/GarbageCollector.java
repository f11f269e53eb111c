package dev.smc.transfer.repo;

import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees what no image refers to. Plan: mark every chunk any image's tree names, then sort packs
 * into kept, deleted (nothing used) and repacked (more than {@link #MAX_UNUSED} unused). Execute,
 * under an exclusive lock: write repacked chunks into new packs, write one index of everything
 * kept, delete the old index files, then the old packs. A crash at any step leaves every image
 * readable; a rerun finishes the work.
 */
public final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  /** A pack with more than this share of unused bytes is rewritten. */
  static final double MAX_UNUSED = 0.10;

  private final Repository repo;

  GarbageCollector(Repository repo) {
    this.repo = repo;
  }

  /** What garbage collection would do. Immutable. */
  public record Plan(int images, long chunksUsed, List<String> keep, List<String> delete, List<String> repack,
      long bytesTotal, long bytesFreed) {
    @Override
    public String toString() {
      return images + " image(s) use " + chunksUsed + " chunk(s); packs: " + keep.size() + " kept, " + delete.size()
          + " deleted, " + repack.size() + " repacked; " + bytesFreed + " of " + bytesTotal + " bytes freed";
    }
  }

  /** What garbage collection did. */
  public record Result(Plan plan, int packsWritten, long bytesBefore, long bytesAfter) {}

  Plan plan() throws IOException {
    return plan(loadPacks(), used());
  }

  private Set<ChunkId> used() throws IOException {
    Set<ChunkId> used = new HashSet<>();
    List<ImageManifest> images = repo.manifests();
    for (ImageManifest m : images) {
      used.addAll(m.tree());
      used.addAll(repo.leaves(m));
      try (InputStream in = repo.treeStream(m)) {
        repo.references(m.kind()).scan(in, used::add);
      }
    }
    return used;
  }

  private Map<String, List<PackFormat.Entry>> loadPacks() throws IOException {
    Map<String, List<PackFormat.Entry>> packs = new LinkedHashMap<>();
    repo.loadIndex(true);
    for (Backend.ObjectInfo o : repo.backend().list(Repository.INDEX_PREFIX)) {
      try {
        IndexFormat.decode(repo.backend().get(o.name()), o.name()).forEach(packs::putIfAbsent);
      } catch (java.nio.file.NoSuchFileException e) {
        // gone meanwhile
      }
    }
    // packs listed by an index but missing from the backend cannot be kept
    Set<String> present = new HashSet<>();
    for (Backend.ObjectInfo o : repo.backend().list(Repository.DATA_PREFIX)) {
      present.add(Repository.packOf(o.name()));
    }
    packs.keySet().retainAll(present);
    return packs;
  }

  private Plan plan(Map<String, List<PackFormat.Entry>> packs, Set<ChunkId> used) throws IOException {
    int images = repo.manifests().size();
    List<String> keep = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    List<String> repack = new ArrayList<>();
    Set<ChunkId> placed = new HashSet<>();
    long total = 0;
    long freed = 0;
    for (var e : packs.entrySet()) {
      long size = 0;
      long live = 0;
      for (PackFormat.Entry en : e.getValue()) {
        size += en.storedLength();
        if (used.contains(en.id()) && placed.add(en.id())) {
          live += en.storedLength();
        }
      }
      total += size;
      if (live == 0) {
        delete.add(e.getKey());
        freed += size;
      } else if (size - live > MAX_UNUSED * size) {
        repack.add(e.getKey());
        freed += size - live;
      } else {
        keep.add(e.getKey());
      }
    }
    return new Plan(images, used.size(), keep, delete, repack, total, freed);
  }

  @SuppressWarnings("try") // the lock is held, not used, inside the block
  Result run() throws IOException {
    try (Locks.Lock lock = repo.locks().exclusive()) {
      long before = storedBytes();
      Map<String, List<PackFormat.Entry>> packs = loadPacks();
      Set<ChunkId> used = used();
      Plan plan = plan(packs, used);
      LOG.info("gc plan: {}", plan);
      // 1. rewrite the live chunks of mostly-unused packs into new packs
      Map<String, List<PackFormat.Entry>> fresh = new LinkedHashMap<>();
      Set<ChunkId> placed = new HashSet<>();
      for (String p : plan.keep()) {
        for (PackFormat.Entry en : packs.get(p)) {
          placed.add(en.id());
        }
      }
      Repacker rp = new Repacker(repo, fresh);
      for (String p : plan.repack()) {
        for (PackFormat.Entry en : packs.get(p)) {
          if (used.contains(en.id()) && placed.add(en.id())) {
            ByteBuffer b = repo.backend().get(Repository.packObject(p), en.offset(), en.storedLength());
            rp.add(en, b);
          }
        }
      }
      rp.flush();
      repo.backend().barrier(); // new packs are durable before the index that lists them
      // 2. one index for everything that stays, 3. old indexes go, 4. old packs go
      Map<String, List<PackFormat.Entry>> all = new LinkedHashMap<>();
      for (String p : plan.keep()) {
        all.put(p, packs.get(p));
      }
      all.putAll(fresh);
      Set<String> oldIndexes = new HashSet<>();
      for (Backend.ObjectInfo o : repo.backend().list(Repository.INDEX_PREFIX)) {
        oldIndexes.add(o.name());
      }
      String newIndex = null;
      if (!all.isEmpty()) {
        ByteBuffer b = IndexFormat.encode(all);
        newIndex = Repository.INDEX_PREFIX + Hashing.sha256Hex(b);
        try {
          repo.backend().put(newIndex, b, Backend.PutMode.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
          // unchanged since the last collection
        }
      }
      repo.backend().barrier();
      for (String name : oldIndexes) {
        if (!name.equals(newIndex)) {
          repo.backend().delete(name);
        }
      }
      // A rewritten pack's name follows from the chunks it holds, so it can be a pack this plan drops:
      // the one an interrupted collection already wrote. It is in the new index now and must stay.
      for (String p : plan.delete()) {
        if (!fresh.containsKey(p)) {
          repo.backend().delete(Repository.packObject(p));
        }
      }
      for (String p : plan.repack()) {
        if (!fresh.containsKey(p)) {
          repo.backend().delete(Repository.packObject(p));
        }
      }
      repo.invalidateIndex();
      long after = storedBytes();
      LOG.info("gc done: {} -> {} bytes", before, after);
      return new Result(plan, fresh.size(), before, after);
    }
  }

  private long storedBytes() throws IOException {
    long n = 0;
    for (Backend.ObjectInfo o : repo.backend().list(Repository.DATA_PREFIX)) {
      n += o.size();
    }
    return n;
  }

  /** Copies stored chunk bytes (still compressed) into new packs. */
  private static final class Repacker {
    private final Repository repo;
    private final Map<String, List<PackFormat.Entry>> out;
    private ByteBuffer buf;
    private List<PackFormat.Entry> entries = new ArrayList<>();

    Repacker(Repository repo, Map<String, List<PackFormat.Entry>> out) {
      this.repo = repo;
      this.out = out;
      this.buf = ByteBuffer.allocate(repo.packSize() + repo.packSize() / 4);
    }

    void add(PackFormat.Entry e, ByteBuffer bytes) throws IOException {
      int need = bytes.remaining() + PackFormat.trailerSize(entries.size() + 1);
      if (buf.position() + need > buf.capacity()) {
        if (!entries.isEmpty()) {
          flush();
        }
        if (need > buf.capacity()) {
          buf = ByteBuffer.allocate(need);
        }
      }
      entries.add(new PackFormat.Entry(e.id(), e.type(), e.codec(), buf.position(), e.storedLength(), e.rawLength()));
      buf.put(bytes);
      if (buf.position() >= repo.packSize()) {
        flush();
      }
    }

    void flush() throws IOException {
      if (entries.isEmpty()) {
        return;
      }
      int start = buf.position();
      PackFormat.writeTrailer(buf, entries);
      buf.flip();
      String id = Hashing.sha256Hex(buf.slice(start, buf.limit() - start));
      try {
        repo.backend().put(Repository.packObject(id), buf, Backend.PutMode.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        // identical pack exists
      }
      out.put(id, entries);
      entries = new ArrayList<>();
      buf.clear();
    }
  }
}
