package dev.smc.transfer.repo;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.codec.Codec;
import dev.smc.transfer.codec.CompressionLevels;
import dev.smc.transfer.internal.Throttle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one image: chunks are compressed on the caller's thread, appended to the current pack,
 * and full packs are uploaded by {@link Backend#parallelUploads()} background threads (at most one
 * more pack than that in memory). Tree pieces go into packs of their own, as restic keeps its
 * trees apart, so the next cycle reads its parent's tree with a few reads of neighbouring pieces
 * instead of one read a piece scattered among the data (over a receiver or S3, a request each). Index files are written every {@link #INDEX_EVERY} packs and at the end, so an
 * interrupted cycle leaves its work findable. Thread-safe for {@link #putChunk} and
 * {@link #hasChunk}; {@link #writeTree} and {@link #commit} belong to one thread.
 */
final class RepositoryImageWriter implements ImageStore.ImageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RepositoryImageWriter.class);
  static final int INDEX_EVERY = 8;
  /** Caps a pack's trailer (46 bytes an entry) when chunks are tiny. */
  static final int MAX_ENTRIES = 16384;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Repository repo;
  private final ImageRef ref;
  private final ImageKind kind;
  private final Optional<ImageInfo> parent;
  private final TransferOptions transfer;
  private final Optional<Codec.Compressor> compressor;
  private final Throttle throttle;
  /** Bytes handed to the backend's pacer: what has left for the store. */
  private final AtomicLong sent = new AtomicLong();
  private final Backend.Pacer pacer;
  private final Locks.Lock lock;
  private final ExecutorService uploader;
  private final int packsInFlight;
  private final java.util.concurrent.BlockingQueue<ByteBuffer> pool;
  private final int packCapacity;
  /** Where a pack is cut: the repository's pack size, or less on a limited link. */
  private final int packTarget;
  private int buffers;
  private final Set<ChunkId> inflight = ConcurrentHashMap.newKeySet();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Map<String, List<PackFormat.Entry>> unindexed = new LinkedHashMap<>();
  private final List<String> packsWritten = new ArrayList<>();
  private final ThreadLocal<byte[]> scratch = new ThreadLocal<>();
  private final ThreadLocal<byte[]> rawScratch = new ThreadLocal<>();
  private final List<ChunkId> leaves = new ArrayList<>();
  private long treeLength;
  /** Guards {@link #pending}, {@link #unindexed} and {@link #packsWritten}; never held while waiting for a pack. */
  private final Object state = new Object();
  private Pack current;
  /** The pack tree pieces go to; null until a new piece comes (a no-change cycle makes none). */
  @Nullable private Pack currentTree;
  private int pending;
  private boolean committed;
  private boolean closed;

  RepositoryImageWriter(Repository repo, ImageRef ref, ImageKind kind, Optional<ImageInfo> parent,
      TransferOptions transfer) throws IOException {
    this.repo = repo;
    this.ref = ref;
    this.kind = kind;
    this.parent = parent;
    this.transfer = transfer;
    this.compressor = CompressionLevels.forLevel(transfer.compressionLevel());
    this.throttle = Throttle.ofKBps(transfer.bandwidthLimitKBps());
    this.pacer = bytes -> {
      throttle.acquire(bytes);
      sent.addAndGet(bytes);
    };
    this.lock = repo.locks().shared();
    try {
      repo.backend().removeLeftovers(); // partial files of writers that died
      ChunkIndex idx = repo.indexForWriting(); // under the lock: what is stored now, adopting what a killed cycle left
      if (transfer.checksum()) {
        verifyTrailers(idx);
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    int uploads = Math.max(1, Math.min(16, repo.backend().parallelUploads()));
    this.packsInFlight = uploads + 1;
    // every buffer there may be: the data's packsInFlight + 1, and one for the pack of tree pieces
    this.pool = new java.util.concurrent.ArrayBlockingQueue<>(packsInFlight + 2);
    this.uploader = Executors.newFixedThreadPool(uploads, r -> {
      Thread t = new Thread(r, "smc-upload-" + ref.name() + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.packCapacity = repo.packSize() + (2 << 20);
    this.packTarget = packTarget(repo.packSize(), transfer.bandwidthLimitKBps());
    this.current = new Pack(newPackBuffer());
    this.buffers = 1;
  }

  /**
   * With a bandwidth limit, a pack holds about two seconds of the link (at least 1 MiB, at most the
   * repository's pack size): nothing leaves before a pack is cut, and a dropped connection re-sends
   * at most one pack, so on a thin link a 16 MiB pack would hold the first bytes back for seconds
   * and cost minutes to re-send.
   */
  static int packTarget(int packSize, long bandwidthLimitKBps) {
    if (bandwidthLimitKBps <= 0) {
      return packSize;
    }
    long twoSeconds = bandwidthLimitKBps * 1024 * 2;
    return (int) Math.min(packSize, Math.max(1 << 20, twoSeconds));
  }

  /** A pack buffer aligned for direct I/O, which a local backend uses to write packs past the page cache. */
  private ByteBuffer newPackBuffer() {
    int align = dev.smc.transfer.internal.posix.Posix.DIRECT_ALIGNMENT;
    return ByteBuffer.allocateDirect(packCapacity + 2 * align).alignedSlice(align).limit(packCapacity).slice();
  }

  @Override
  public ImageRef ref() {
    return ref;
  }

  @Override
  public Optional<ImageInfo> parent() {
    return parent;
  }

  @Override
  public boolean hasChunk(ChunkId id) throws IOException {
    return inflight.contains(id) || repo.index().available(id);
  }

  @Override
  public long putChunk(ChunkId id, ByteBuffer data) throws IOException {
    return put(id, BlobType.DATA, data, compressor);
  }

  private long put(ChunkId id, BlobType type, ByteBuffer data, Optional<Codec.Compressor> comp) throws IOException {
    checkFailure();
    if (repo.index().available(id) || !inflight.add(id)) {
      return 0;
    }
    int len = data.remaining();
    byte[] raw;
    int rawOff;
    if (data.hasArray()) {
      raw = data.array();
      rawOff = data.arrayOffset() + data.position();
    } else {
      raw = buffer(rawScratch, len);
      data.duplicate().get(raw, 0, len);
      rawOff = 0;
    }
    byte[] out = raw;
    int outOff = rawOff;
    int outLen = len;
    Codec codec = Codec.NONE;
    if (comp.isPresent() && len > 64) {
      byte[] dst = buffer(scratch, Codec.maxCompressedLength(len));
      int n = comp.get().compress(raw, rawOff, len, dst);
      if (n > 0) {
        out = dst;
        outOff = 0;
        outLen = n;
        codec = comp.get().codec();
      }
    }
    if (outLen + PackFormat.trailerSize(1) > packCapacity) {
      throw new IllegalArgumentException("chunk " + id + " of " + outLen + " bytes does not fit a pack");
    }
    synchronized (this) {
      boolean tree = type == BlobType.TREE;
      if (tree && currentTree == null) {
        currentTree = new Pack(takeBuffer(true));
      }
      while (!(tree ? currentTree : current).fits(outLen)) {
        rotate(tree);
      }
      Pack p = tree ? currentTree : current;
      p.add(id, type, codec, out, outOff, outLen, len);
      if (p.size() >= packTarget || p.count() >= MAX_ENTRIES) {
        rotate(tree);
      }
    }
    stored.addAndGet(outLen);
    return outLen;
  }

  private static byte[] buffer(ThreadLocal<byte[]> tl, int min) {
    byte[] b = tl.get();
    if (b == null || b.length < min) {
      b = new byte[Math.max(min, 128 * 1024)];
      tl.set(b);
    }
    return b;
  }

  private ChunkId putTreeChunk(byte[] b, int off, int len) throws IOException {
    ChunkId id = ChunkId.of(Hashing.sha256(b, off, len));
    put(id, BlobType.TREE, ByteBuffer.wrap(b, off, len), Optional.of(CompressionLevels.METADATA));
    return id;
  }

  /**
   * Stores the list of leaf ids in groups cut where an id's first byte has its low 5 bits clear
   * (~32 ids a group, at most 256), so the groups are stable between cycles too; returns the ids
   * of the groups, which the manifest lists.
   */
  private List<ChunkId> storeLeafGroups() throws IOException {
    List<ChunkId> groups = new ArrayList<>();
    byte[] buf = new byte[256 * ChunkId.LENGTH];
    int n = 0;
    for (int i = 0; i < leaves.size(); i++) {
      leaves.get(i).copyTo(buf, n * ChunkId.LENGTH);
      n++;
      if ((buf[(n - 1) * ChunkId.LENGTH] & 0x1f) == 0 || n == 256 || i == leaves.size() - 1) {
        groups.add(putTreeChunk(buf, 0, n * ChunkId.LENGTH));
        n = 0;
      }
    }
    return groups;
  }

  /**
   * Hands the current pack (of tree pieces with {@code tree}) to the uploaders and starts a new one.
   * Caller holds the writer's lock.
   */
  private void rotate(boolean tree) throws IOException {
    Pack next = new Pack(takeBuffer(tree));
    Pack full;
    if (tree) {
      full = currentTree;
      currentTree = next;
    } else {
      full = current;
      current = next;
    }
    upload(full);
  }

  /**
   * A pack buffer: a free one, a new one while fewer than allowed exist, else the next an upload frees.
   * The pack of tree pieces may make one more, so that it never takes a buffer from the data's uploads.
   */
  private ByteBuffer takeBuffer(boolean tree) throws IOException {
    ByteBuffer next;
    try {
      // blocks while packsInFlight packs are being uploaded: bounded memory, back-pressure
      next = pool.poll();
      if (next == null && buffers <= packsInFlight + (tree ? 1 : 0)) {
        next = newPackBuffer();
        buffers++;
      }
      while (next == null && (next = pool.poll(100, TimeUnit.MILLISECONDS)) == null) {
        checkFailure();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmcException(ErrorCode.CANCELLED, "interrupted while writing " + ref);
    }
    return next;
  }

  private void upload(Pack pack) throws IOException {
    // no more than packsInFlight uploads: every one holds one of the pool's buffers
    synchronized (state) {
      pending++;
    }
    try {
      uploader.execute(() -> {
        try {
          if (failure.get() == null) {
            store(pack);
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          pool.add(pack.buffer());
          synchronized (state) {
            pending--;
            state.notifyAll();
          }
        }
      });
    } catch (RuntimeException e) {
      pool.add(pack.buffer());
      synchronized (state) {
        pending--;
      }
      throw e;
    }
  }

  private void store(Pack pack) throws IOException {
    ByteBuffer[] trailer = new ByteBuffer[1];
    ByteBuffer bytes = pack.seal(trailer);
    String id = Hashing.sha256Hex(trailer[0]);
    String name = Repository.packObject(id);
    // A pack's name commits to its content, so the same chunks make the same pack again: where the
    // stored one is damaged (cut short), the whole one replaces it; otherwise it is never overwritten.
    Backend.PutMode mode = repo.index().isDamaged(id) ? Backend.PutMode.REPLACE : Backend.PutMode.CREATE_NEW;
    try {
      // paced as it leaves (compressed already): the limit counts bytes on the wire, whatever the level
      repo.backend().put(name, bytes, mode, pacer);
    } catch (FileAlreadyExistsException e) {
      // the same pack was stored before (identical bytes): nothing to do
    }
    if (transfer.checksum()) {
      ByteBuffer back = repo.backend().get(name);
      if (!back.equals(bytes) && mode == Backend.PutMode.CREATE_NEW) {
        // a pack of this name was there already, and it is not what its name says: the whole one replaces it
        LOG.warn("pack {} was stored before but damaged; replaced by the whole one", name);
        repo.backend().put(name, bytes, Backend.PutMode.REPLACE, pacer);
        back = repo.backend().get(name);
      }
      if (!back.equals(bytes)) {
        throw new IntegrityException("pack " + name + " read back differs from what was written");
      }
      PackVerifier.verify(back, id);
    }
    List<PackFormat.Entry> entries = pack.entries();
    repo.storedUnindexed(id, entries, bytes.remaining());
    repo.index().addPack(id, entries, bytes.remaining());
    Map<String, List<PackFormat.Entry>> batch = null;
    synchronized (state) {
      unindexed.put(id, entries);
      packsWritten.add(id);
      if (unindexed.size() >= INDEX_EVERY) {
        batch = new LinkedHashMap<>(unindexed);
        unindexed.clear();
      }
    }
    for (PackFormat.Entry e : entries) {
      inflight.remove(e.id());
    }
    if (batch != null) {
      lock.checkHeld();
      repo.writeIndex(batch);
    }
    LOG.debug("stored pack {} ({} chunks, {} bytes)", id, entries.size(), bytes.remaining());
  }

  private void checkFailure() throws IOException {
    Throwable t = failure.get();
    if (t != null) {
      if (t instanceof IOException io) {
        throw new IOException("writing " + ref + " to " + repo.backend().location() + ": " + io.getMessage(), io);
      }
      if (t instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(t);
    }
  }

  /** Waits for every pack handed to the uploaders, then writes the index of what they stored. */
  private void drain(boolean flushCurrent) throws IOException {
    synchronized (this) {
      if (flushCurrent && current.count() > 0) {
        rotate(false);
      }
      if (flushCurrent && currentTree != null && currentTree.count() > 0) {
        Pack trees = currentTree;
        currentTree = null;
        upload(trees);
      }
    }
    synchronized (state) {
      while (pending > 0) {
        try {
          state.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SmcException(ErrorCode.CANCELLED, "interrupted while writing " + ref);
        }
      }
    }
    Map<String, List<PackFormat.Entry>> batch;
    synchronized (state) {
      batch = new LinkedHashMap<>(unindexed);
      unindexed.clear();
    }
    repo.writeIndex(batch);
  }

  @Override
  public void writeTree(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    leaves.add(putTreeChunk(b, off, len));
    treeLength += len;
  }

  @Override
  public ImageInfo commit(Map<String, String> properties) throws IOException {
    if (committed || closed) {
      throw new IllegalStateException("image " + ref + " is already " + (committed ? "committed" : "closed"));
    }
    List<ChunkId> groups = storeLeafGroups();
    drain(true);
    checkFailure();
    repo.indexLocalPacks(); // chunks deduplicated against another running writer's packs are indexed too
    ImageManifest m = new ImageManifest(ref, kind, parent.map(ImageInfo::ref), repo.clock().instant(), properties,
        groups, treeLength);
    if (transfer.checksum()) {
      verifyBeforeCommit(m);
    }
    try {
      repo.backend().barrier(); // data and index are durable before the manifest names them
      // no garbage collection can have judged this cycle's lock stale: the data it names is there
      lock.verify();
      repo.backend().put(ImageManifest.objectName(ref), m.encode(), Backend.PutMode.CREATE_NEW);
      repo.backend().barrier();
    } catch (FileAlreadyExistsException e) {
      throw new SmcException(ErrorCode.ALREADY_EXISTS, "image " + ref + " was committed by another writer first;"
          + " its chunks are kept and the next cycle reuses them");
    }
    committed = true;
    LOG.info("committed image {} ({} bytes stored in {} packs)", ref, stored.get(), packsWritten.size());
    return m.info(false);
  }

  /**
   * With checksum on, before anything is written: every indexed pack proves by its trailer that it is
   * whole and the pack its name says (a few hundred bytes read a pack); a pack that does not is
   * taken out of use, so the chunks the parent image had in it are read from the source again.
   */
  private void verifyTrailers(ChunkIndex idx) throws IOException {
    for (Map.Entry<String, Long> p : idx.present().entrySet()) {
      if (!idx.hasPack(p.getKey())) {
        continue;
      }
      try {
        PackVerifier.verifyTrailer(repo.backend(), p.getKey(), p.getValue());
      } catch (IntegrityException e) {
        idx.markDamaged(p.getKey(), "damaged (" + e.getMessage() + ")");
      }
    }
  }

  /**
   * With checksum on, before the manifest: every chunk the image names is available, and every pack
   * it uses that this cycle did not write (and read back whole) proves by its trailer that it is the
   * pack its name says, whole to its end, holding those chunks where the index says.
   */
  private void verifyBeforeCommit(ImageManifest m) throws IOException {
    ChunkIndex idx = repo.index();
    Map<String, Set<Location>> used = new java.util.HashMap<>();
    try (InputStream in = repo.treeStream(m)) {
      repo.references(kind).scan(in, id -> {
        Location l = idx.get(id);
        if (l == null || !idx.isThere(l)) {
          throw new IntegrityException("image " + ref + ": chunk " + id + " is not stored");
        }
        used.computeIfAbsent(l.pack(), k -> new java.util.HashSet<>()).add(l);
      });
    }
    Set<String> written;
    synchronized (state) {
      written = new java.util.HashSet<>(packsWritten);
    }
    Map<String, Long> sizes = new java.util.HashMap<>();
    for (Backend.ObjectInfo o : repo.backend().list(Repository.DATA_PREFIX)) {
      sizes.put(Repository.packOf(o.name()), o.size());
    }
    for (Map.Entry<String, Set<Location>> u : used.entrySet()) {
      String pack = u.getKey();
      if (written.contains(pack)) {
        continue;
      }
      Long size = sizes.get(pack);
      if (size == null) {
        throw new IntegrityException("image " + ref + ": pack " + pack + " it uses is missing");
      }
      Set<Location> inTrailer = new java.util.HashSet<>();
      for (PackFormat.Entry e : PackVerifier.verifyTrailer(repo.backend(), pack, size)) {
        inTrailer.add(e.at(pack));
      }
      for (Location l : u.getValue()) {
        if (!inTrailer.contains(l)) {
          throw new IntegrityException("image " + ref + ": pack " + pack + " does not hold a chunk at " + l.offset()
              + " as the index says");
        }
      }
    }
  }

  @Override
  public long bytesStored() {
    return stored.get();
  }

  @Override
  public long bytesSent() {
    return sent.get();
  }

  @Override
  public List<String> storeDamage() {
    List<String> out = new ArrayList<>();
    try {
      repo.index().damaged().forEach((pack, why) -> out.add("pack " + Repository.packObject(pack) + " is " + why
          + "; images that use its chunks are damaged (smc check names them)"));
    } catch (IOException e) {
      out.add("the repository's index cannot be read: " + e.getMessage());
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!committed) {
        // keep what reached the backend findable, so a rerun does not send it again
        try {
          drain(failure.get() == null);
        } catch (IOException | RuntimeException e) {
          LOG.debug("while abandoning {}: {}", ref, e.toString());
        }
        // After a failure some stored packs may be in no index file yet (their index write failed or
        // never came): they stay known to this process, and the next commit here indexes them before
        // its manifest; another process adopts them.
        repo.invalidateIndex();
      }
    } finally {
      uploader.shutdown();
      try {
        uploader.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lock.close();
    }
  }

  /**
   * A pack being filled: chunk bytes back to back in a pooled direct buffer, then its trailer.
   * Guarded by the writer.
   */
  private static final class Pack {
    private final ByteBuffer buf;
    private final List<PackFormat.Entry> entries = new ArrayList<>();

    Pack(ByteBuffer buf) {
      this.buf = buf.clear();
    }

    boolean fits(int len) {
      return buf.position() + len + PackFormat.trailerSize(entries.size() + 1) <= buf.capacity();
    }

    void add(ChunkId id, BlobType type, Codec codec, byte[] b, int off, int len, int rawLen) {
      entries.add(new PackFormat.Entry(id, type, codec, buf.position(), len, rawLen));
      buf.put(b, off, len);
    }

    int size() {
      return buf.position();
    }

    int count() {
      return entries.size();
    }

    List<PackFormat.Entry> entries() {
      return entries;
    }

    ByteBuffer buffer() {
      return buf;
    }

    /** Appends the trailer; returns the whole pack, and in {@code trailer} the part that names it. */
    ByteBuffer seal(ByteBuffer[] trailer) {
      int start = buf.position();
      PackFormat.writeTrailer(buf, entries);
      ByteBuffer whole = buf.duplicate().flip();
      trailer[0] = whole.slice(start, whole.limit() - start);
      return whole;
    }
  }
}
