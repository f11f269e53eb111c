package dev.smc.transfer.repo;

import dev.smc.IntegrityException;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a repository. Structure: every index file, every pack's trailer agrees with its name and
 * the index, every image manifest (sealed, and the manifest of the image its name says), and every
 * chunk every image refers to is in a pack that exists and is whole; images that are not are named.
 * Locks: stale, dead and unreadable ones are reported. With read-data: every pack is read whole, and
 * every chunk decompresses to content matching its id. Reads only: it never writes to the
 * repository (it adopts nothing, removes no lock).
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
    locks(errors, notes);
    Map<String, Long> present = new HashMap<>();
    for (Backend.ObjectInfo o : b.list(Repository.DATA_PREFIX)) {
      present.put(Repository.packOf(o.name()), o.size());
    }
    Map<String, List<PackFormat.Entry>> indexed = new LinkedHashMap<>();
    for (Backend.ObjectInfo o : b.list(Repository.INDEX_PREFIX)) {
      try {
        ByteBuffer raw = b.get(o.name());
        if (!o.name().endsWith(Hashing.sha256Hex(raw))) {
          errors.add("index " + o.name() + ": content does not match its name");
        }
        IndexFormat.decode(raw, o.name()).forEach(indexed::putIfAbsent);
      } catch (IntegrityException e) {
        errors.add(e.getMessage());
      }
    }
    // packs: why each damaged one is, by name
    Map<String, String> bad = new LinkedHashMap<>();
    for (String pack : indexed.keySet()) {
      if (!present.containsKey(pack)) {
        bad.put(pack, "missing");
        errors.add("pack " + pack + " is listed in an index but missing");
      }
    }
    for (String pack : present.keySet()) {
      if (!indexed.containsKey(pack)) {
        notes.add("pack " + pack + " is not listed in any index (left by an interrupted cycle; the next cycle adopts it)");
      }
    }
    long bytesRead = 0;
    for (var e : present.entrySet()) {
      String pack = e.getKey();
      List<String> found = new ArrayList<>();
      try {
        List<PackFormat.Entry> fromPack;
        if (readData) {
          ByteBuffer whole = b.get(Repository.packObject(pack));
          bytesRead += whole.remaining();
          fromPack = PackVerifier.verify(whole, pack, ex -> found.add(ex.getMessage()));
        } else {
          fromPack = PackVerifier.verifyTrailer(b, pack, e.getValue());
        }
        List<PackFormat.Entry> inIndex = indexed.get(pack);
        if (inIndex != null && !new HashSet<>(fromPack).equals(new HashSet<>(inIndex))) {
          found.add("pack " + pack + ": its trailer and the index disagree");
        }
      } catch (IntegrityException ex) {
        found.add(ex.getMessage());
      }
      if (!found.isEmpty()) {
        errors.addAll(found);
        bad.put(pack, "damaged");
      }
    }
    Map<ChunkId, String> where = new HashMap<>();
    indexed.forEach((pack, es) -> {
      for (PackFormat.Entry en : es) {
        // a chunk stored twice counts as whole when one copy is
        if (!bad.containsKey(pack) || !where.containsKey(en.id())) {
          where.put(en.id(), pack);
        }
      }
    });
    int images = images(errors, where, bad);
    return new Report(errors, notes, images, present.size(), where.size(), bytesRead);
  }

  private int images(List<String> errors, Map<ChunkId, String> where, Map<String, String> bad) throws IOException {
    int images = 0;
    for (Backend.ObjectInfo o : repo.backend().list(ImageManifest.PREFIX)) {
      ImageManifest m;
      try {
        m = ImageManifest.decode(repo.backend().get(o.name()), o.name());
      } catch (IntegrityException ex) {
        errors.add(ex.getMessage());
        continue;
      }
      images++;
      Lost lost = new Lost(where, bad);
      m.tree().forEach(lost::check);
      lost.treeLost = lost.count > 0;
      if (lost.count == 0) {
        try {
          repo.leaves(m).forEach(lost::check);
          lost.treeLost = lost.count > 0;
          if (lost.count == 0) {
            try (InputStream in = repo.treeStream(m)) {
              repo.references(m.kind()).scan(in, lost::check);
            }
          }
        } catch (IntegrityException | IOException ex) {
          errors.add("image " + m.ref() + ": its tree cannot be read: " + ex.getMessage());
        }
      }
      if (lost.count > 0) {
        errors.add("image " + m.ref() + " is damaged: " + lost.count + " chunk(s) it uses are lost, e.g. " + lost.example);
        detail(m, lost, errors);
      }
    }
    return images;
  }

  /** The most lines of damage check lists for one image. */
  static final int DETAIL_LINES = 20;

  /** What of the image the lost chunks damage (its files, or its disk's byte ranges), when its tree can be read. */
  private void detail(ImageManifest m, Lost lost, List<String> errors) {
    if (lost.treeLost) {
      return;
    }
    int[] n = new int[1];
    try (InputStream in = repo.treeStream(m)) {
      repo.references(m.kind()).damage(in, lost::isLost, line -> {
        if (n[0]++ < DETAIL_LINES) {
          errors.add("image " + m.ref() + ": " + line);
        }
      });
    } catch (IntegrityException | IOException ex) {
      errors.add("image " + m.ref() + ": what is damaged cannot be told: " + ex.getMessage());
    }
    if (n[0] > DETAIL_LINES) {
      errors.add("image " + m.ref() + ": and " + (n[0] - DETAIL_LINES) + " more damaged");
    }
  }

  /** Counts the chunks an image uses that no whole pack holds. */
  private static final class Lost {
    private final Map<ChunkId, String> where;
    private final Map<String, String> bad;
    private final Set<ChunkId> seen = new HashSet<>();
    long count;
    String example;

    Lost(Map<ChunkId, String> where, Map<String, String> bad) {
      this.where = where;
      this.bad = bad;
    }

    /** Set when a piece of the tree itself is lost: then nothing more can be read of it. */
    boolean treeLost;

    boolean isLost(ChunkId id) {
      String pack = where.get(id);
      return pack == null || bad.containsKey(pack);
    }

    void check(ChunkId id) {
      String pack = where.get(id);
      if ((pack == null || bad.containsKey(pack)) && seen.add(id)) {
        count++;
        if (example == null) {
          example = id + (pack == null ? " (no index lists it)" : " (pack " + pack + " is " + bad.get(pack) + ")");
        }
      }
    }
  }

  private void locks(List<String> errors, List<String> notes) throws IOException {
    for (LockInfo l : repo.lockStatus()) {
      switch (l.state()) {
        case UNREADABLE -> errors.add("lock " + l.describe() + " is not one this smc wrote; 'smc unlock --all' removes"
            + " it (it expires when it is stale)");
        case DEAD, STALE -> notes.add("lock " + l.describe() + " is left by a process that is gone; 'smc unlock' or"
            + " the next command removes it");
        default -> notes.add("lock " + l.describe() + " is held");
      }
    }
  }
}
