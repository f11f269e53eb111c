package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
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
 * into kept, deleted (nothing used) and repacked (more than {@link #MAX_UNUSED} unused); a pack
 * that is damaged (cut short, or its trailer not the one its name says) is salvaged: the chunks of
 * it that images use and no whole pack holds are read, checked against their ids, and rewritten,
 * then it goes. Execute, under an exclusive lock: write repacked and salvaged chunks into new
 * packs, write one index of everything kept, delete the old index files, then the old packs. A
 * crash at any step leaves every image readable; a rerun finishes the work.
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
      List<String> salvage, long bytesTotal, long bytesFreed) {
    public Plan {
      keep = List.copyOf(keep);
      delete = List.copyOf(delete);
      repack = List.copyOf(repack);
      salvage = List.copyOf(salvage);
    }

    @Override
    public String toString() {
      return images + " image(s) use " + chunksUsed + " chunk(s); packs: " + keep.size() + " kept, " + delete.size()
          + " deleted, " + repack.size() + " repacked" + (salvage.isEmpty() ? "" : ", " + salvage.size()
          + " damaged (what is readable of them rewritten, then removed)") + "; " + bytesFreed + " of " + bytesTotal
          + " bytes freed";
    }
  }

  /** What garbage collection did; {@code chunksLost}: used chunks of damaged packs that could not be read back. */
  public record Result(Plan plan, int packsWritten, long bytesBefore, long bytesAfter, long chunksLost) {}

  /** The packs the index files list that are there: whole ones, and damaged ones (listed after them). */
  private record Packs(Map<String, List<PackFormat.Entry>> whole, Map<String, List<PackFormat.Entry>> damaged,
      Map<String, Long> sizes) {}

  Plan plan() throws IOException {
    return plan(loadPacks(), used());
  }

  private Set<ChunkId> used() throws IOException {
    Set<ChunkId> used = new HashSet<>();
    Repository.ManifestScan scan = repo.scanManifests();
    if (!scan.damaged().isEmpty()) {
      // what a damaged manifest's image uses cannot be known: collecting now could free it for good
      throw new IntegrityException("garbage collection needs every image readable; damaged: " + scan.problems()
          + "; delete those images ('smc forget --image NAME-CYCLE_N') or put their manifests back, then run it again");
    }
    List<ImageManifest> images = scan.manifests();
    for (ImageManifest m : images) {
      used.addAll(m.tree());
      try {
        List<ChunkId> leaves = repo.availableLeaves(m); // a tree the repository cannot produce whole fails here
        used.addAll(leaves);
        try (InputStream in = repo.treeStream(m, leaves)) {
          repo.references(m.kind()).scan(in, used::add);
        }
      } catch (IntegrityException | java.nio.file.NoSuchFileException e) {
        throw new IntegrityException("garbage collection needs every image's tree readable; image " + m.ref()
            + " is damaged (" + e.getMessage() + "); delete it ('smc forget --image " + m.ref()
            + "') or repair the repository, then run it again", e);
      }
    }
    return used;
  }

  private Packs loadPacks() throws IOException {
    Map<String, List<PackFormat.Entry>> packs = new LinkedHashMap<>();
    repo.loadIndex(true);
    for (Backend.ObjectInfo o : repo.backend().list(Repository.INDEX_PREFIX)) {
      try {
        IndexFormat.decode(repo.backend().get(o.name()), o.name()).forEach(packs::putIfAbsent);
      } catch (java.nio.file.NoSuchFileException e) {
        // gone meanwhile
      } catch (IntegrityException e) {
        LOG.warn("index file {} is damaged; the packs it lists are adopted again: {}", o.name(), e.getMessage());
      }
    }
    // packs listed by an index but missing from the backend cannot be kept
    Map<String, Long> present = new java.util.HashMap<>();
    for (Backend.ObjectInfo o : repo.backend().list(Repository.DATA_PREFIX)) {
      present.put(Repository.packOf(o.name()), o.size());
    }
    packs.keySet().retainAll(present.keySet());
    Map<String, List<PackFormat.Entry>> damaged = new LinkedHashMap<>();
    for (var it = packs.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      try {
        PackVerifier.verifyTrailer(repo.backend(), e.getKey(), present.get(e.getKey()));
      } catch (IntegrityException ex) {
        LOG.warn("pack {} is damaged; what images use of it is salvaged: {}", e.getKey(), ex.getMessage());
        damaged.put(e.getKey(), e.getValue());
        it.remove();
      }
    }
    return new Packs(packs, damaged, present);
  }

  private Plan plan(Packs packs, Set<ChunkId> used) throws IOException {
    int images = repo.manifests().size();
    List<String> keep = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    List<String> repack = new ArrayList<>();
    Set<ChunkId> placed = new HashSet<>();
    long total = 0;
    long freed = 0;
    for (var e : packs.whole().entrySet()) {
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
    List<String> salvage = new ArrayList<>(packs.damaged().keySet());
    return new Plan(images, used.size(), keep, delete, repack, salvage, total, freed);
  }

  Result run() throws IOException {
    try (Locks.Lock lock = repo.locks().exclusive()) {
      repo.backend().removeLeftovers();
      long before = storedBytes();
      Packs packs = loadPacks();
      Set<ChunkId> used = used();
      Plan plan = plan(packs, used);
      LOG.info("gc plan: {}", plan);
      // 1. rewrite the live chunks of mostly-unused packs, and the readable used chunks of damaged ones
      Map<String, List<PackFormat.Entry>> fresh = new LinkedHashMap<>();
      Set<ChunkId> placed = new HashSet<>();
      for (String p : plan.keep()) {
        for (PackFormat.Entry en : packs.whole().get(p)) {
          placed.add(en.id());
        }
      }
      Repacker rp = new Repacker(repo, fresh, packs.damaged().keySet());
      for (String p : plan.repack()) {
        for (PackFormat.Entry en : packs.whole().get(p)) {
          if (used.contains(en.id()) && placed.add(en.id())) {
            rp.add(en, repo.backend().get(Repository.packObject(p), en.offset(), en.storedLength()));
          }
        }
      }
      long lost = 0;
      for (String p : plan.salvage()) {
        for (PackFormat.Entry en : packs.damaged().get(p)) {
          if (used.contains(en.id()) && !placed.contains(en.id())) {
            if (salvage(rp, p, en, packs.sizes().get(p))) {
              placed.add(en.id());
            } else {
              lost++;
            }
          }
        }
      }
      rp.flush();
      repo.backend().barrier(); // new packs are durable before the index that lists them
      // 2. one index for everything that stays, 3. old indexes go, 4. old packs go
      Map<String, List<PackFormat.Entry>> all = new LinkedHashMap<>();
      for (String p : plan.keep()) {
        all.put(p, packs.whole().get(p));
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
      // from here on data goes: only while no writer can have started (its lock would have refused)
      lock.verify();
      for (String name : oldIndexes) {
        if (!name.equals(newIndex)) {
          lock.checkHeld();
          repo.backend().delete(name);
        }
      }
      // A rewritten pack's name follows from the chunks it holds, so it can be a pack this plan drops:
      // the one an interrupted collection already wrote. It is in the new index now and must stay.
      List<String> gone = new ArrayList<>(plan.delete());
      gone.addAll(plan.repack());
      gone.addAll(plan.salvage());
      for (String p : gone) {
        if (!fresh.containsKey(p)) {
          lock.checkHeld();
          repo.backend().delete(Repository.packObject(p));
        }
      }
      repo.invalidateIndex();
      long after = storedBytes();
      if (lost > 0) {
        LOG.warn("gc: {} used chunk(s) of damaged packs could not be read back; the images using them stay damaged", lost);
      }
      LOG.info("gc done: {} -> {} bytes", before, after);
      return new Result(plan, fresh.size(), before, after, lost);
    }
  }

  /**
   * Copies a used chunk out of a damaged pack if it is still there and reads back whole; false when
   * it does not. A failure to read (the backend) fails the collection rather than count as loss.
   */
  private boolean salvage(Repacker rp, String pack, PackFormat.Entry en, long packSize) throws IOException {
    if ((long) en.offset() + en.storedLength() > packSize) {
      LOG.warn("chunk {} of damaged pack {} is lost: the pack was cut short before it", en.id(), pack);
      return false;
    }
    ByteBuffer stored = repo.backend().get(Repository.packObject(pack), en.offset(), en.storedLength());
    try {
      repo.decode(en.id(), en.at(pack), stored.duplicate()); // verified against its id, or it throws
    } catch (IntegrityException e) {
      LOG.warn("chunk {} of damaged pack {} is lost: {}", en.id(), pack, e.getMessage());
      return false;
    }
    rp.add(en, stored);
    return true;
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
    private final Set<String> damaged;
    private ByteBuffer buf;
    private List<PackFormat.Entry> entries = new ArrayList<>();

    Repacker(Repository repo, Map<String, List<PackFormat.Entry>> out, Set<String> damaged) {
      this.repo = repo;
      this.out = out;
      this.damaged = damaged;
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
        // the same chunks make the same pack: a damaged one of that name is replaced by the whole one
        repo.backend().put(Repository.packObject(id), buf,
            damaged.contains(id) ? Backend.PutMode.REPLACE : Backend.PutMode.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        // identical pack exists
      }
      out.put(id, entries);
      entries = new ArrayList<>();
      buf.clear();
    }
  }
}
