package dev.smc.transfer.repo;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.NotFoundException;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.Backend;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.spi.ImageStore.ChunkSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed image repository over a dumb {@link Backend}: chunks named by SHA-256,
 * compressed and packed into pack files, indexes that say where each chunk is, and one manifest
 * per image. Write order is data, then index, then manifest, so a crash at any point leaves no
 * half image and a rerun stores only what no pack holds yet. Several writers (threads or
 * processes) may use one repository at once; chunks dedup across cycles and image names.
 *
 * <p>Thread-safe.
 */
public final class Repository implements ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(Repository.class);
  static final String CONFIG = "config";
  static final String INDEX_PREFIX = "index/";
  static final String DATA_PREFIX = "data/";
  static final String PIN_PREFIX = "pins/";
  /** Default size of the fixed, aligned chunks files and disks are cut into. */
  public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

  private final Backend backend;
  private final Clock clock;
  private final TransferOptions defaults;
  private final int packSize;
  private final String id;
  private final int chunkSize;
  private final Locks locks;
  private final Duration lockRefresh;
  private final Duration lockStale;
  private final Map<ImageKind, TreeReferences> references = new EnumMap<>(ImageKind.class);
  private volatile ChunkIndex index;
  @Nullable private final IndexCache cache;
  @Nullable private final Path cacheDir;

  private Repository(Backend backend, Options o) throws IOException {
    this.backend = backend;
    this.clock = o.clock;
    this.cacheDir = o.cacheDir;
    this.defaults = o.transfer;
    this.packSize = o.packSize;
    this.lockRefresh = o.lockRefresh;
    this.lockStale = o.lockStale;
    this.locks = new Locks(backend, clock, o.lockRefresh, o.lockStale);
    references.put(ImageKind.FILES, new dev.smc.transfer.files.FileTreeReferences());
    references.put(ImageKind.BLOCKS, new dev.smc.transfer.blocks.BlockTreeReferences());
    RepositoryConfig config = readOrCreateConfig(backend, o.chunkSize);
    this.id = config.id();
    this.chunkSize = config.chunkSize();
    this.cache = o.cacheDir == null ? null : new IndexCache(o.cacheDir, id, clock);
  }

  /** Opens the repository in {@code backend}, creating it when the backend is empty. */
  public static Repository open(Backend backend) throws IOException {
    return open(backend, options());
  }

  public static Repository open(Backend backend, Options options) throws IOException {
    return new Repository(backend, options);
  }

  public static Options options() {
    return new Options();
  }

  /**
   * Opens this same repository through another way to its storage (a receiver serving its folder,
   * say), with this one's options: clock, default transfer options, pack size, cache folder, and
   * the reference scanners registered. The new repository owns {@code other} and closes it; so
   * does a failure here. Fails with {@link IntegrityException} when {@code other} holds no
   * repository (it is not created there) or another one than this.
   */
  public Repository openThrough(Backend other) throws IOException {
    Repository r;
    try {
      if (other.size(CONFIG).isEmpty()) {
        throw new IntegrityException("repository " + other.location() + " does not exist (no 'config'); expected "
            + "repository " + id + " of " + backend.location());
      }
      Options o = options().clock(clock).transfer(defaults).packSize(packSize).cacheDir(cacheDir)
          .lockTimes(lockRefresh, lockStale);
      r = new Repository(other, o);
      if (!java.util.Objects.equals(r.id, id)) {
        throw new IntegrityException("repository " + other.location() + " is repository " + r.id + ", not "
            + id + " of " + backend.location());
      }
    } catch (IOException | RuntimeException e) {
      try {
        other.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    synchronized (references) {
      synchronized (r.references) {
        r.references.putAll(references);
      }
    }
    return r;
  }

  /** How a repository is opened. Not thread-safe. */
  public static final class Options {
    private Clock clock = Clock.systemUTC();
    private TransferOptions transfer = TransferOptions.DEFAULTS;
    private int packSize = 16 << 20;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private Path cacheDir;
    private Duration lockRefresh = Locks.DEFAULT_REFRESH;
    private Duration lockStale = Locks.DEFAULT_STALE;

    /**
     * How often a held lock is rewritten (default 1 minute) and after how long without that another
     * process takes it for the lock of a dead holder and removes it (default 10 minutes). Stale must be
     * at least four refreshes; every process sharing a repository should use the same times.
     */
    public Options lockTimes(Duration refresh, Duration stale) {
      if (refresh.toMillis() < 10 || stale.compareTo(refresh.multipliedBy(4)) < 0) {
        throw new IllegalArgumentException("lockTimes " + refresh + ", " + stale
            + ": refresh at least 10 ms, stale at least four refreshes");
      }
      this.lockRefresh = refresh;
      this.lockStale = stale;
      return this;
    }

    public Options clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Compression, bandwidth limit and checksum of writers that do not pass their own. */
    public Options transfer(TransferOptions transfer) {
      this.transfer = transfer;
      return this;
    }

    /**
     * A local folder for caches (default none): the chunk table is kept there, so that opening a
     * large repository does not rebuild it from the index files every time. Safe to delete.
     */
    public Options cacheDir(@Nullable Path dir) {
      this.cacheDir = dir;
      return this;
    }

    /** Target size of pack files (default 16 MiB). */
    public Options packSize(int bytes) {
      if (bytes < 4096 || bytes > (256 << 20)) {
        throw new IllegalArgumentException("packSize " + bytes + ": allowed 4 KiB..256 MiB");
      }
      this.packSize = bytes;
      return this;
    }

    /** Chunk size of a repository created by this open (default 64 KiB); an existing one keeps its own. */
    public Options chunkSize(int bytes) {
      if (bytes < 4096 || bytes > (8 << 20) || Integer.bitCount(bytes) != 1) {
        throw new IllegalArgumentException("chunkSize " + bytes + ": a power of two from 4 KiB to 8 MiB");
      }
      this.chunkSize = bytes;
      return this;
    }
  }

  private static RepositoryConfig readOrCreateConfig(Backend backend, int chunkSize) throws IOException {
    ByteBuffer raw;
    try {
      raw = backend.get(CONFIG);
    } catch (NoSuchFileException e) {
      try {
        backend.put(CONFIG, RepositoryConfig.create(chunkSize).encode(), Backend.PutMode.CREATE_NEW);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: use theirs
      }
      raw = backend.get(CONFIG);
    }
    return RepositoryConfig.parse(raw, backend.location());
  }

  /** Registers how to find the chunks an image kind's tree refers to (engines do this). */
  public Repository referencesOf(ImageKind kind, TreeReferences scanner) {
    synchronized (references) {
      references.put(kind, scanner);
    }
    return this;
  }

  TreeReferences references(ImageKind kind) {
    synchronized (references) {
      TreeReferences r = references.get(kind);
      if (r == null) {
        throw new IllegalStateException("no reference scanner registered for " + kind + " images");
      }
      return r;
    }
  }

  public Backend backend() {
    return backend;
  }

  public String id() {
    return id;
  }

  public int chunkSize() {
    return chunkSize;
  }

  Clock clock() {
    return clock;
  }

  int packSize() {
    return packSize;
  }

  Locks locks() {
    return locks;
  }

  TransferOptions defaults() {
    return defaults;
  }

  static String packObject(String pack) {
    return DATA_PREFIX + pack.substring(0, 2) + "/" + pack;
  }

  /** Whether {@link #verifyNamedContent} reads the content of an object of this name (packs, index files, manifests). */
  public static boolean checksContent(String name) {
    return name.startsWith(DATA_PREFIX) || name.startsWith(INDEX_PREFIX) || name.startsWith(ImageManifest.PREFIX);
  }

  /**
   * Checks an object against what its name says it is: a pack in {@code data/} (its trailer's
   * SHA-256, and every chunk's content against its id), an index file in {@code index/} (the
   * SHA-256 of its bytes, and that it parses as an index), an image manifest in {@code images/}
   * (sealed, parsed, and the manifest of the image its name gives). Other objects (config, locks,
   * pins) pass. A receiver runs this on every upload before the object becomes visible.
   *
   * @throws IntegrityException naming the object and what does not match
   */
  public static void verifyNamedContent(String name, ByteBuffer data) {
    verifyNamedContent(name, data, true);
  }

  /**
   * As {@link #verifyNamedContent(String, ByteBuffer)}; without {@code chunks}, a pack's chunks
   * are not read: its trailer is checked against its name and parsed, so the pack is whole and says
   * what it holds, but not proven to hold it. For uploads from a process that could write the
   * repository's files itself (a receiver's agent of the same user on the same machine), where
   * hashing every byte again proves nothing that process could not have bypassed.
   */
  public static void verifyNamedContent(String name, ByteBuffer data, boolean chunks) {
    String last = packOf(name);
    if (name.startsWith(DATA_PREFIX)) {
      if (!name.equals(packObject(last)) || !isHex64(last)) {
        throw new IntegrityException("object " + name + ": a pack is named data/XX/<64 hex digits>, XX its first two");
      }
      if (chunks) {
        PackVerifier.verify(data.duplicate(), last);
      } else {
        PackVerifier.verifyStructure(data.duplicate(), last);
      }
    } else if (name.startsWith(INDEX_PREFIX)) {
      if (!name.equals(INDEX_PREFIX + last) || !isHex64(last) || !Hashing.sha256Hex(data.duplicate()).equals(last)) {
        throw new IntegrityException("object " + name + ": content does not match its name (the SHA-256 of the index)");
      }
      IndexFormat.decode(data.duplicate(), name);
    } else if (name.startsWith(ImageManifest.PREFIX)) {
      ImageManifest.decode(data.duplicate(), name);
    }
  }

  private static boolean isHex64(String s) {
    return s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  static String packOf(String objectName) {
    return objectName.substring(objectName.lastIndexOf('/') + 1);
  }

  // ---------------------------------------------------------------- index

  /** The chunk index for reading, loaded on first use. Reads only: a reader never writes to the repository. */
  ChunkIndex index() throws IOException {
    ChunkIndex idx = index;
    if (idx == null) {
      synchronized (this) {
        idx = index;
        if (idx == null) {
          idx = loadIndex(false);
          index = idx;
        }
      }
    }
    return idx;
  }

  /**
   * The chunk index for a writer that holds its lock, loaded anew (the index files and packs may
   * have changed since, by other processes' cycles or garbage collection): complete packs no index
   * lists are adopted, and the packs this process's writers are still indexing stay known.
   */
  synchronized ChunkIndex indexForWriting() throws IOException {
    ChunkIndex idx = loadIndex(true);
    localUnindexed.forEach((pack, stored) -> idx.addPack(pack, stored.entries(), stored.size()));
    index = idx;
    return idx;
  }

  /** A pack a writer of this process stored and has not yet listed in an index file. */
  record StoredPack(List<PackFormat.Entry> entries, long size) {}

  private final Map<String, StoredPack> localUnindexed = new java.util.concurrent.ConcurrentHashMap<>();

  void storedUnindexed(String pack, List<PackFormat.Entry> entries, long size) {
    localUnindexed.put(pack, new StoredPack(entries, size));
  }

  /**
   * Reads every index file (or the local cache of what they held, and the files written since);
   * with {@code adopt}, also indexes complete packs no index lists (a crashed writer's).
   */
  ChunkIndex loadIndex(boolean adopt) throws IOException {
    return IndexLoader.load(this, cache, adopt, localUnindexed.keySet());
  }

  /** Writes one index file for {@code packs}. */
  void writeIndex(Map<String, List<PackFormat.Entry>> packs) throws IOException {
    if (packs.isEmpty()) {
      return;
    }
    ByteBuffer b = IndexFormat.encode(packs);
    String name = INDEX_PREFIX + Hashing.sha256Hex(b);
    backend.barrier(); // the packs an index lists are durable before the index
    try {
      backend.put(name, b, Backend.PutMode.CREATE_NEW);
    } catch (FileAlreadyExistsException e) {
      // identical index already stored
    }
    localUnindexed.keySet().removeAll(packs.keySet());
  }

  /**
   * Writes an index of every pack this process's writers stored and have not indexed yet: a commit
   * does this before its manifest, because it may have deduplicated against another running
   * writer's packs, and a manifest never names a chunk no index file lists.
   */
  void indexLocalPacks() throws IOException {
    Map<String, List<PackFormat.Entry>> all = new LinkedHashMap<>();
    localUnindexed.forEach((pack, stored) -> all.put(pack, stored.entries()));
    writeIndex(all);
  }

  /** Drops the cached index so the next use reads the backend again. */
  void invalidateIndex() {
    index = null;
  }

  // ---------------------------------------------------------------- reading chunks

  /** A chunk's raw content, verified against its id. */
  public ByteBuffer readChunk(ChunkId id) throws IOException {
    return ByteBuffer.wrap(readChunk(id, location(id)));
  }

  /** Where a chunk is stored; fails when no index lists it. */
  Location location(ChunkId id) throws IOException {
    Location loc = index().get(id);
    if (loc == null) {
      throw new IntegrityException("chunk " + id + " is referenced but no index lists it");
    }
    return loc;
  }

  /** The most bytes one read of neighbouring chunks fetches, through a buffer each thread keeps. */
  static final int RUN_BYTES = 4 << 20;
  private static final ThreadLocal<ByteBuffer> RUN_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(RUN_BYTES));

  /**
   * Reads chunks in pack order, one read for each run of chunks stored side by side, and hands each
   * (verified) to {@code sink}; a chunk stored raw is handed over in place, without a copy. The
   * sink must not call back into this method on the same thread (the read buffer is reused).
   */
  void readChunks(List<ChunkId> ids, ChunkSink sink) throws IOException {
    Location[] locs = new Location[ids.size()];
    Integer[] order = new Integer[ids.size()];
    for (int i = 0; i < locs.length; i++) {
      locs[i] = location(ids.get(i));
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer, String>comparing(i -> locs[i].pack()).thenComparingInt(i -> locs[i].offset()));
    for (int a = 0; a < order.length; ) {
      Location first = locs[order[a]];
      long end = (long) first.offset() + first.storedLength();
      int b = a + 1;
      while (b < order.length && locs[order[b]].pack().equals(first.pack()) && locs[order[b]].offset() == end
          && end + locs[order[b]].storedLength() - first.offset() <= RUN_BYTES) {
        end += locs[order[b]].storedLength();
        b++;
      }
      int spanLength = Math.toIntExact(end - first.offset());
      ByteBuffer span = spanLength <= RUN_BYTES ? RUN_BUFFER.get().clear().limit(spanLength)
          : ByteBuffer.allocateDirect(spanLength);
      backend.read(packObject(first.pack()), first.offset(), span);
      span.flip();
      for (int k = a; k < b; k++) {
        int i = order[k];
        Location l = locs[i];
        ByteBuffer stored = span.slice(span.position() + l.offset() - first.offset(), l.storedLength());
        if (l.codec() == dev.smc.transfer.codec.Codec.NONE && l.storedLength() == l.rawLength()) {
          checkHash(ids.get(i), l, Hashing.sha256(stored));
          sink.accept(i, stored);
        } else {
          sink.accept(i, ByteBuffer.wrap(decode(ids.get(i), l, stored)));
        }
      }
      a = b;
    }
  }

  byte[] readChunk(ChunkId id, Location loc) throws IOException {
    return decode(id, loc, backend.get(packObject(loc.pack()), loc.offset(), loc.storedLength()));
  }

  /** A chunk's raw content from its stored bytes ({@code stored}'s remaining bytes), verified against its id. */
  byte[] decode(ChunkId id, Location loc, ByteBuffer stored) {
    byte[] src;
    int off;
    if (stored.hasArray()) {
      src = stored.array();
      off = stored.arrayOffset() + stored.position();
    } else {
      src = new byte[stored.remaining()];
      stored.duplicate().get(src);
      off = 0;
    }
    int len = stored.remaining();
    if (loc.codec() == dev.smc.transfer.codec.Codec.NONE && off == 0 && src.length == len
        && len == loc.rawLength()) {
      return verified(id, loc, src); // stored raw: the bytes read are the chunk, no copy
    }
    byte[] raw = new byte[loc.rawLength()];
    try {
      loc.codec().decompress(src, off, len, raw, raw.length);
    } catch (IntegrityException e) {
      throw new IntegrityException("pack " + loc.pack() + " at " + loc.offset() + ": chunk " + id + ": " + e.getMessage(), e);
    }
    return verified(id, loc, raw);
  }

  private static byte[] verified(ChunkId id, Location loc, byte[] raw) {
    checkHash(id, loc, Hashing.sha256(raw, 0, raw.length));
    return raw;
  }

  private static void checkHash(ChunkId id, Location loc, byte[] sha256) {
    if (!Arrays.equals(sha256, id.toBytes())) {
      throw new IntegrityException("pack " + loc.pack() + " at " + loc.offset() + " (" + loc.storedLength()
          + " bytes): chunk " + id + " does not match its hash");
    }
  }

  // ---------------------------------------------------------------- images

  @Override
  public List<ImageInfo> images() throws IOException {
    Set<String> pins = new HashSet<>();
    for (Backend.ObjectInfo o : backend.list(PIN_PREFIX)) {
      pins.add(o.name().substring(PIN_PREFIX.length()));
    }
    return manifests().stream().map(m -> m.info(pins.contains(m.ref().toString()))).toList();
  }

  /** Every readable image manifest, sorted by name then cycle; damaged ones are left out (see {@link #imageProblems}). */
  List<ImageManifest> manifests() throws IOException {
    return scanManifests().manifests();
  }

  /** The manifests that could be read, what is wrong with the others, and which images those are. */
  record ManifestScan(List<ImageManifest> manifests, List<String> problems, List<ImageRef> damaged) {}

  ManifestScan scanManifests() throws IOException {
    List<ImageManifest> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<ImageRef> damaged = new ArrayList<>();
    for (Backend.ObjectInfo o : backend.list(ImageManifest.PREFIX)) {
      ImageRef ref = refOf(o.name());
      if (ref == null) {
        problems.add("object " + o.name() + " is not named like an image (NAME-CYCLE_N); ignored");
        continue;
      }
      try {
        out.add(ImageManifest.decode(backend.get(o.name()), o.name()));
      } catch (NoSuchFileException e) {
        // forgotten meanwhile
      } catch (IntegrityException e) {
        problems.add(e.getMessage() + "; the image is left out");
        damaged.add(ref);
      }
    }
    out.sort(Comparator.comparing(ImageManifest::ref));
    return new ManifestScan(out, problems, damaged);
  }

  @Nullable
  private static ImageRef refOf(String objectName) {
    try {
      return ImageRef.parse("image", objectName.substring(ImageManifest.PREFIX.length()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * What is wrong under {@code images/}: manifests that are damaged or another image's (those images
   * are left out of {@link #images()}), and objects that are not manifests. Empty when all is well.
   */
  public List<String> imageProblems() throws IOException {
    return scanManifests().problems();
  }

  @Override
  public Optional<ImageInfo> image(ImageRef ref) throws IOException {
    Optional<ImageManifest> m = manifest(ref);
    return m.isEmpty() ? Optional.empty() : Optional.of(m.get().info(isPinnedNow(ref)));
  }

  private boolean isPinnedNow(ImageRef ref) throws IOException {
    return backend.size(PIN_PREFIX + ref).isPresent();
  }

  Optional<ImageManifest> manifest(ImageRef ref) throws IOException {
    try {
      String name = ImageManifest.objectName(ref);
      return Optional.of(ImageManifest.decode(backend.get(name), name));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * The image {@code text} names: {@code NAME-CYCLE_N} as it is, {@code NAME} or {@code NAME-latest}
   * the newest readable cycle of that name.
   *
   * @throws NotFoundException when there is no such image
   * @throws dev.smc.InvalidSpecException when {@code text} is none of these forms
   */
  public ImageRef resolve(String text) throws IOException {
    if (text.matches(".*-CYCLE_\\d+")) {
      ImageRef ref = ImageRef.parse("image", text);
      if (image(ref).isEmpty()) {
        throw new NotFoundException("image " + ref + " does not exist in " + backend.location());
      }
      return ref;
    }
    String name = text.endsWith("-latest") ? text.substring(0, text.length() - "-latest".length()) : text;
    ImageRef.checkName(name);
    return latest(name).map(ImageInfo::ref).orElseThrow(() -> new NotFoundException("no image of name '" + name
        + "' in " + backend.location() + " (smc images lists them)"));
  }

  /** The newest readable image of {@code name}, if any (a damaged manifest is passed over). */
  public Optional<ImageInfo> latest(String name) throws IOException {
    return lineage(name).latest();
  }

  /** The images of a name as the next cycle sees them: the newest readable one, and the highest cycle number taken. */
  private record Lineage(Optional<ImageInfo> latest, int highestCycle) {}

  private Lineage lineage(String name) throws IOException {
    List<ImageRef> refs = new ArrayList<>();
    for (Backend.ObjectInfo o : backend.list(ImageManifest.PREFIX + name + "-CYCLE_")) {
      ImageRef ref = refOf(o.name());
      if (ref != null && ref.name().equals(name)) {
        refs.add(ref);
      }
    }
    refs.sort(Comparator.comparingInt(ImageRef::cycle).reversed());
    int highest = refs.isEmpty() ? 0 : refs.get(0).cycle();
    for (ImageRef ref : refs) {
      try {
        Optional<ImageInfo> info = image(ref);
        if (info.isPresent()) {
          return new Lineage(info, highest);
        }
      } catch (IntegrityException e) {
        LOG.warn("image {} is damaged, passed over: {}", ref, e.getMessage());
      }
    }
    return new Lineage(Optional.empty(), highest);
  }

  /** Starts the next cycle of {@code imageName} with the repository's default transfer options. */
  public ImageWriter newImage(String imageName, ImageKind kind) throws IOException {
    return newImage(imageName, kind, defaults);
  }

  @Override
  public ImageWriter newImage(String imageName, ImageKind kind, TransferOptions transfer) throws IOException {
    ImageRef.checkName(imageName); // before anything is sent: the name goes into object names
    Lineage lineage = lineage(imageName);
    Optional<ImageInfo> parent = lineage.latest();
    if (parent.isPresent() && parent.get().kind() != kind) {
      throw new SmcException(ErrorCode.INVALID_SPEC, "image name '" + imageName + "' holds " + parent.get().kind()
          + " images; a " + kind + " cycle cannot continue it");
    }
    // after the highest cycle number taken, also by a damaged manifest: never a number twice
    ImageRef ref = new ImageRef(imageName, lineage.highestCycle() + 1);
    return new RepositoryImageWriter(this, ref, kind, parent, transfer);
  }

  @Override
  public ImageReader openImage(ImageRef ref) throws IOException {
    ImageManifest m = manifest(ref).orElseThrow(() -> new NotFoundException("image " + ref + " does not exist in "
        + backend.location()));
    return new RepositoryImageReader(this, m, isPinnedNow(ref));
  }

  /** The ids of an image's tree pieces, read from the groups its manifest lists. */
  List<ChunkId> leaves(ImageManifest m) throws IOException {
    List<ChunkId> groups = m.tree();
    byte[][] raw = new byte[groups.size()][];
    readChunks(groups, (i, b) -> { // neighbouring groups with one read
      if (b.remaining() % ChunkId.LENGTH != 0) {
        throw new IntegrityException("image " + m.ref() + ": tree group " + groups.get(i) + " is not a list of ids");
      }
      raw[i] = new byte[b.remaining()];
      b.duplicate().get(raw[i]);
    });
    List<ChunkId> out = new ArrayList<>();
    for (byte[] g : raw) {
      for (int off = 0; off < g.length; off += ChunkId.LENGTH) {
        out.add(ChunkId.of(g, off));
      }
    }
    return out;
  }

  InputStream treeStream(ImageManifest m) {
    return new TreeInputStream(this, m, null);
  }

  InputStream treeStream(ImageManifest m, List<ChunkId> leaves) {
    return new TreeInputStream(this, m, leaves);
  }

  /** The ids of an image's tree pieces, after checking that the repository can produce each of them. */
  List<ChunkId> availableLeaves(ImageManifest m) throws IOException {
    ChunkIndex idx = index();
    for (ChunkId g : m.tree()) {
      requireAvailable(idx, m, g);
    }
    List<ChunkId> leaves = leaves(m);
    for (ChunkId l : leaves) {
      requireAvailable(idx, m, l);
    }
    return leaves;
  }

  private static void requireAvailable(ChunkIndex idx, ImageManifest m, ChunkId id) {
    if (idx.available(id)) {
      return;
    }
    Location l = idx.get(id);
    String where = l == null ? "no index lists it" : "pack " + l.pack() + " is "
        + idx.damaged().getOrDefault(l.pack(), "missing or too short");
    throw new IntegrityException("image " + m.ref() + ": its tree cannot be read: piece " + id + " is lost ("
        + where + ")");
  }

  /** Pins or unpins an image: a pinned image is never removed by retention. */
  public void pin(ImageRef ref, boolean pinned) throws IOException {
    if (manifest(ref).isEmpty()) {
      throw new NotFoundException("image " + ref + " does not exist");
    }
    if (pinned) {
      backend.put(PIN_PREFIX + ref, ByteBuffer.wrap(clock.instant().toString().getBytes(StandardCharsets.US_ASCII)),
          Backend.PutMode.REPLACE);
    } else {
      backend.delete(PIN_PREFIX + ref);
    }
  }

  /**
   * Keeps the newest {@code keep} images of {@code name} (and every pinned one) and removes the
   * manifests of the rest; their data is freed by {@link #gc()}. Returns the removed images.
   */
  public List<ImageRef> forget(String name, int keep) throws IOException {
    if (keep < 0) {
      throw new IllegalArgumentException("keep " + keep + ": must be >= 0");
    }
    List<ImageInfo> of = new ArrayList<>(images().stream().filter(i -> i.ref().name().equals(name)).toList());
    of.sort(Comparator.comparingInt((ImageInfo i) -> i.ref().cycle()).reversed());
    List<ImageRef> removed = new ArrayList<>();
    for (int i = keep; i < of.size(); i++) {
      ImageInfo info = of.get(i);
      if (info.pinned()) {
        continue;
      }
      backend.delete(ImageManifest.objectName(info.ref()));
      removed.add(info.ref());
    }
    if (!removed.isEmpty()) {
      LOG.info("forgot {} image(s) of {}: {}", removed.size(), name, removed);
    }
    return removed;
  }

  /** Deletes one image's manifest, also a damaged one (its data is freed by {@link #gc()}). */
  public void delete(ImageRef ref) throws IOException {
    if (backend.size(ImageManifest.objectName(ref)).isEmpty()) {
      throw new NotFoundException("image " + ref + " does not exist");
    }
    backend.delete(ImageManifest.objectName(ref));
    backend.delete(PIN_PREFIX + ref);
  }

  /** Plans garbage collection: which packs are unused or mostly unused. Takes no lock; changes nothing. */
  public GarbageCollector.Plan planGc() throws IOException {
    return new GarbageCollector(this).plan();
  }

  /** Frees the space of chunks no image refers to, under an exclusive lock. */
  public GarbageCollector.Result gc() throws IOException {
    return new GarbageCollector(this).run();
  }

  /** Checks structure and, with {@code readData}, every stored byte. */
  public Checker.Report check(boolean readData) throws IOException {
    return new Checker(this).run(readData);
  }

  /**
   * Every lock of the repository, judged by this host's clock (a lock's age is the time since the
   * backend last stored it). Reads only.
   */
  public List<LockInfo> lockStatus() throws IOException {
    return locks.status();
  }

  /**
   * Removes locks whose process is dead on this host and locks not refreshed for the stale time
   * (and, with {@code all}, every lock: only when no smc process uses the repository). Returns the
   * locks removed.
   */
  public List<LockInfo> unlock(boolean all) throws IOException {
    return locks.unlock(all);
  }

  @Override
  public void close() throws IOException {
    locks.close();
    backend.close();
  }

  @Override
  public String toString() {
    return "Repository[" + backend.location() + "]";
  }
}
