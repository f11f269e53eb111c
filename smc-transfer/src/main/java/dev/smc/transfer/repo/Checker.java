package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a repository. Structure: config, every index file, every pack's trailer agrees with the
 * index, every image manifest, and every chunk every image refers to is indexed in an existing
 * pack. With read-data: every pack is read whole, matches its name (SHA-256), and every chunk
 * decompresses to content matching its id. Reads only; never changes the repository.
 */
public final class Checker {
  private final Repository repo;

  Checker(Repository repo) {
    this.repo = repo;
  }

  /** What check found. {@link #ok()} is false on any error; notes are harmless findings. */
  public record Report(List<String> errors, List<String> notes, int images, int packs, long chunks,
      long bytesRead) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  Report run(boolean readData) throws IOException {
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Backend b = repo.backend();
    // packs present
    Map<String, Long> present = new HashMap<>();
    for (Backend.ObjectInfo o : b.list(Repository.DATA_PREFIX)) {
      present.put(Repository.packOf(o.name()), o.size());
    }
    // indexes
    Map<String, List<PackFormat.Entry>> indexed = new LinkedHashMap<>();
    Map<ChunkId, PackFormat.Entry> chunks = new HashMap<>();
    for (Backend.ObjectInfo o : b.list(Repository.INDEX_PREFIX)) {
      try {
        ByteBuffer raw = b.get(o.name());
        if (!o.name().endsWith(Hashing.sha256Hex(raw))) {
          errors.add("index " + o.name() + ": content does not match its name");
        }
        IndexFormat.decode(raw, o.name()).forEach((pack, es) -> {
          indexed.putIfAbsent(pack, es);
          for (PackFormat.Entry e : es) {
            chunks.putIfAbsent(e.id(), e);
          }
        });
      } catch (IntegrityException e) {
        errors.add(e.getMessage());
      }
    }
    for (String pack : indexed.keySet()) {
      if (!present.containsKey(pack)) {
        errors.add("pack " + pack + " is listed in an index but missing");
      }
    }
    for (String pack : present.keySet()) {
      if (!indexed.containsKey(pack)) {
        notes.add("pack " + pack + " is not listed in any index (left by an interrupted cycle; the next cycle adopts it)");
      }
    }
    // packs: trailer (structure) or everything (read-data)
    long bytesRead = 0;
    for (var e : present.entrySet()) {
      String pack = e.getKey();
      String name = Repository.packObject(pack);
      try {
        List<PackFormat.Entry> fromPack;
        if (readData) {
          ByteBuffer whole = b.get(name);
          bytesRead += whole.remaining();
          fromPack = PackVerifier.verify(whole, pack, ex -> errors.add(ex.getMessage()));
        } else {
          long size = e.getValue();
          ByteBuffer tail = b.get(name, size - 12, 12);
          int len = PackFormat.trailerLength(tail, pack);
          if (len < 16 || len > size) {
            throw new IntegrityException("pack " + pack + ": trailer length " + len + " out of range");
          }
          ByteBuffer whole = b.get(name, size - len, len);
          if (!Hashing.sha256Hex(whole).equals(pack)) {
            errors.add("pack " + pack + ": trailer does not match the pack's name");
          }
          fromPack = PackFormat.parseTrailer(whole.slice(0, len - 12), size, pack);
        }
        List<PackFormat.Entry> inIndex = indexed.get(pack);
        if (inIndex != null && !new HashSet<>(fromPack).equals(new HashSet<>(inIndex))) {
          errors.add("pack " + pack + ": its trailer and the index disagree");
        }
      } catch (IntegrityException ex) {
        errors.add(ex.getMessage());
      }
    }
    // images
    int images = 0;
    List<ImageManifest> manifests = new ArrayList<>();
    for (Backend.ObjectInfo o : b.list(ImageManifest.PREFIX)) {
      try {
        manifests.add(ImageManifest.decode(b.get(o.name()), o.name()));
      } catch (IntegrityException ex) {
        errors.add(ex.getMessage());
      }
    }
    for (ImageManifest m : manifests) {
      images++;
      boolean treeOk = true;
      for (ChunkId id : m.tree()) {
        if (!chunks.containsKey(id)) {
          errors.add("image " + m.ref() + ": tree chunk " + id + " is not stored");
          treeOk = false;
        }
      }
      if (!treeOk) {
        continue;
      }
      Set<ChunkId> missing = new HashSet<>();
      try (InputStream in = repo.treeStream(m)) {
        repo.references(m.kind()).scan(in, id -> {
          if (!chunks.containsKey(id)) {
            missing.add(id);
          }
        });
      } catch (IntegrityException | IOException ex) {
        errors.add("image " + m.ref() + ": tree cannot be read: " + ex.getMessage());
      }
      if (!missing.isEmpty()) {
        errors.add("image " + m.ref() + ": " + missing.size() + " chunk(s) missing, e.g. " + missing.iterator().next());
      }
    }
    return new Report(errors, notes, images, present.size(), chunks.size(), bytesRead);
  }


}
