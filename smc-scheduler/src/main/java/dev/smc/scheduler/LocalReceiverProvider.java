package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.scheduler.internal.AtomicFiles;
import dev.smc.scheduler.internal.ReceiverProcess;
import dev.smc.transfer.remote.HttpsBackend;
import dev.smc.scheduler.internal.SharedReceiver;
import dev.smc.spi.InstanceProvider;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transit instances served by one receiver on this machine: the first transit starts a receiver
 * ({@code dev.smc.transfer.remote.ReceiverMain}) as a child process on loopback, every later one
 * is served by that same process, and releasing the last one stops it (SIGTERM, SIGKILL after
 * 10 s). Each transit has its own random token, allowed only the repository folder it serves; the
 * receiver's access list is every live transit's token, replaced at once when a transit comes or
 * goes, so a released transit's token is refused from the next request on. A cycle's data goes
 * through the receiver (its Unix socket, below), as it would through a transit instance in a cloud.
 *
 * <p>Each transit is a folder {@code <dir>/<id>/} (mode 0700): {@code instance.properties} (id,
 * task; written atomically) and {@code tokens} (its one {@code REPO TOKEN} line, mode 0600). The
 * receiver's files are in {@code <dir>/receiver/} (its own certificate, the access list, where it
 * listens); creating, restarting and releasing take the lock {@code <dir>/receiver.lock}, so two
 * processes never start two receivers. The record is written before the receiver learns the token,
 * so a crash at any point leaves a transit that {@link #transits()} lists and
 * {@link #releaseTransit} removes (stopping the receiver when it was the last). The receiver
 * outlives this object and this JVM, as a transit instance outlives the program that made it;
 * {@link #ensureRunning} starts it again (same certificate, maybe another port: every transit's
 * endpoint follows) after a reboot or a kill. A process is only signalled when its command line
 * shows it is this folder's receiver.
 *
 * <p>This machine has one network, and a source on it reaches the receiver by its Unix socket:
 * both endpoints are {@code http+unix://SOCKET/REPO} (plain HTTP: no network carries the bytes, and
 * only processes of this user may connect; {@link HttpsBackend#open}), or
 * {@code https://127.0.0.1:PORT/REPO} when the folder's path is too long for a socket's; REPO is
 * the repository folder's name (with a hash of its path when another folder of that name is served
 * already).
 *
 * <p>Thread-safe, also across processes sharing {@code dir}.
 */
public final class LocalReceiverProvider implements InstanceProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LocalReceiverProvider.class);
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
  /** How long a receiver may take to finish its requests when asked to stop. */
  public static final Duration STOP_GRACE = SharedReceiver.STOP_GRACE;
  private static final String RECORD = "instance.properties";

  private final Path dir;
  private final Path repository;
  private final SharedReceiver receiver;
  private final SecureRandom random = new SecureRandom();

  /** Transits in {@code dir}, each served by the receiver of {@code dir}, allowed {@code repositoryFolder}. */
  public LocalReceiverProvider(Path dir, Path repositoryFolder) throws IOException {
    this(dir, repositoryFolder, List.of(), DEFAULT_READY_TIMEOUT);
  }

  /**
   * As {@link #LocalReceiverProvider(Path, Path)}, with options for the receiver's JVM (they follow
   * {@code -XX:+UseSerialGC}) and how long the receiver may take to serve after it was started.
   */
  public LocalReceiverProvider(Path dir, Path repositoryFolder, List<String> jvmOptions, Duration readyTimeout)
      throws IOException {
    Path repoFolder = repositoryFolder.toAbsolutePath().normalize();
    if (repoFolder.getParent() == null || repoFolder.getFileName() == null
        || !repoFolder.getFileName().toString().matches("[A-Za-z0-9._-]{1,64}")
        || repoFolder.getFileName().toString().matches("\\.{1,2}")) {
      throw new IllegalArgumentException("repositoryFolder '" + repositoryFolder + "': a receiver serves a folder"
          + " named with 1-64 of A-Z a-z 0-9 . _ - (not '.' or '..') inside another folder");
    }
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout " + readyTimeout + ": must be positive");
    }
    this.repository = repoFolder;
    this.dir = Files.createDirectories(dir).toAbsolutePath().normalize();
    this.receiver = new SharedReceiver(this.dir, jvmOptions, readyTimeout);
  }

  @Override
  public TransitInstance createTransit(TaskId task) throws IOException {
    byte[] suffix = new byte[8];
    random.nextBytes(suffix);
    String id = "transit-" + task.value() + "-" + HexFormat.of().formatHex(suffix);
    Path home = home(id);
    return receiver.locked(() -> {
      AtomicFiles.createPrivateDirectory(home);
      try {
        String alias = receiver.link(repository);
        String token = newToken(home, alias);
        write(home, id, task); // listed from here on: whatever happens next, a release finds and removes it
        AtomicFiles.syncDir(dir);
        return serve(id, task, alias, token, true);
      } catch (IOException | RuntimeException e) {
        try {
          remove(home);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    });
  }

  @Override
  public void releaseTransit(TransitInstance instance) throws IOException {
    Path home = home(instance.id());
    receiver.locked(() -> {
      remove(home);
      return null;
    });
  }

  @Override
  public TransitInstance ensureRunning(TransitInstance instance) throws IOException {
    Path home = home(instance.id());
    return receiver.locked(() -> {
      Optional<Record> r = read(home);
      if (r.isEmpty()) {
        throw new NoSuchFileException(home.toString(), null,
            "transit " + instance.id() + " does not exist (released?)");
      }
      if (r.get().legacyPid) { // a transit from before the shared receiver: its own receiver goes
        for (ProcessHandle h : ReceiverProcess.find(home)) {
          ReceiverProcess.stop(h, STOP_GRACE);
        }
        write(home, r.get().id, r.get().task);
      }
      String alias = receiver.link(repository);
      Optional<String[]> line = tokenLine(home);
      String token = line.isPresent() ? line.get()[1] : null;
      if (token == null || !line.get()[0].equals(alias)) {
        token = newToken(home, alias, token);
      }
      Optional<ProcessHandle> before = receiver.process();
      TransitInstance now = serve(r.get().id, r.get().task, alias, token, false);
      if (before.isEmpty()) {
        LOG.info("transit {}: the receiver did not run; started again, serving at {}", r.get().id, now.endpoint());
      }
      return now;
    });
  }

  @Override
  public List<TransitInstance> transits() throws IOException {
    Optional<ReceiverProcess.Serving> serving = receiver.state();
    List<TransitInstance> out = new ArrayList<>();
    for (Path p : transitFolders()) {
      Optional<Record> r = read(p);
      if (r.isPresent()) {
        Optional<String[]> line = tokenLine(p);
        out.add(instance(r.get().id, r.get().task, serving, line.map(l -> l[0]), line.map(l -> l[1])));
      }
    }
    out.sort(Comparator.comparing(TransitInstance::id));
    return out;
  }

  /** Whether the transit exists and the receiver runs. */
  @Override
  public boolean isServing(TransitInstance instance) throws IOException {
    return process(instance.id()).isPresent();
  }

  /** The receiver process that serves a transit, when the transit exists and the receiver runs. */
  public Optional<ProcessHandle> process(String transitId) throws IOException {
    return read(home(transitId)).isEmpty() ? Optional.empty() : receiver.process();
  }

  /** The receiver process of this folder, when it runs. */
  public Optional<ProcessHandle> process() throws IOException {
    return receiver.process();
  }

  @Override
  public String toString() {
    return "LocalReceiverProvider[" + dir + ", serving " + repository + "]";
  }

  // ---------------------------------------------------------------- helpers

  private Path home(String id) {
    Path home = dir.resolve(id).normalize();
    if (id.isEmpty() || !dir.equals(home.getParent()) || id.equals(SharedReceiver.FOLDER)
        || id.equals(SharedReceiver.LOCK)) {
      throw new IllegalArgumentException("transit id '" + id + "' is not a transit's folder name");
    }
    return home;
  }

  private List<Path> transitFolders() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.equals(SharedReceiver.FOLDER) && !name.equals(SharedReceiver.LOCK) && Files.isDirectory(p)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /**
   * Makes sure the receiver's access list holds this transit's line, then that it serves. A new
   * transit's line is added to the list as it is (a 1000-row import reads one list per row, not
   * every transit's folder per row); a kept transit whose line is missing (a crash) gets the list
   * rebuilt from every transit's folder.
   */
  private TransitInstance serve(String id, TaskId task, String alias, String token, boolean created)
      throws IOException {
    String mine = alias + " " + token;
    List<String> lines = new ArrayList<>(receiver.tokens());
    if (created) {
      lines.add(mine);
    } else if (!lines.contains(mine)) {
      lines = accessList(); // this transit's line among them (its record exists)
    }
    receiver.writeTokens(lines);
    ReceiverProcess.Serving s = receiver.ensureRunning();
    TransitInstance t = instance(id, task, Optional.of(s), Optional.of(alias), Optional.of(token));
    LOG.debug("transit {}: receiver pid {} serves {} at {}", id, s.pid(), repository, t.endpoint());
    return t;
  }

  /** Every listed transit's token line. */
  private List<String> accessList() throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path p : transitFolders()) {
      if (read(p).isPresent()) {
        tokenLine(p).ifPresent(l -> lines.add(l[0] + " " + l[1]));
      }
    }
    return lines;
  }

  private static TransitInstance instance(String id, TaskId task, Optional<ReceiverProcess.Serving> serving,
      Optional<String> alias, Optional<String> token) {
    if (serving.isEmpty() || alias.isEmpty()) {
      return new TransitInstance(id, task, "", "", Optional.empty());
    }
    String endpoint = serving.get().unixSocket().map(u -> HttpsBackend.unixEndpoint(u, alias.get()))
        .orElse("https://127.0.0.1:" + serving.get().port() + "/" + alias.get());
    return new TransitInstance(id, task, endpoint, endpoint,
        token.map(t -> new Access(t, serving.get().fingerprint())));
  }

  /**
   * Revokes the transit's token, stops the receiver when no other transit is left, then deletes
   * the record and the folder: a release cut short leaves a record that the next one finishes.
   */
  private void remove(Path home) throws IOException {
    if (!Files.exists(home)) {
      return;
    }
    Optional<Record> r = read(home);
    if (r.isPresent() && r.get().legacyPid) {
      for (ProcessHandle h : ReceiverProcess.find(home)) {
        ReceiverProcess.stop(h, STOP_GRACE);
      }
    }
    Optional<String[]> mine = tokenLine(home);
    Files.deleteIfExists(home.resolve(ReceiverProcess.TOKENS));
    AtomicFiles.deleteTree(home.resolve(ReceiverProcess.CERTS)); // a transit from before the shared receiver
    boolean last = transitFolders().stream().noneMatch(p -> !p.equals(home) && listed(p));
    List<String> access;
    if (last) {
      access = List.of(); // whatever else the list still held belonged to no transit
    } else if (mine.isPresent()) {
      access = new ArrayList<>(receiver.tokens());
      access.remove(mine.get()[0] + " " + mine.get()[1]);
    } else { // a release cut short after the token went: which line was its own is known no more
      access = accessList();
    }
    receiver.writeTokens(access); // revoked: refused from the receiver's next request on
    if (last) {
      for (long pid : receiver.stop()) {
        LOG.info("receiver pid {} stopped: no transit left in {}", pid, dir);
      }
    }
    Files.deleteIfExists(home.resolve(RECORD));
    AtomicFiles.deleteTree(home);
    AtomicFiles.syncDir(dir);
  }

  private static boolean listed(Path transit) {
    return Files.exists(transit.resolve(RECORD));
  }

  private String newToken(Path home, String alias) throws IOException {
    return newToken(home, alias, null);
  }

  /** Writes the transit's token line: {@code keep} when given, else a fresh random token. */
  private String newToken(Path home, String alias, @Nullable String keep) throws IOException {
    String token = keep;
    if (token == null) {
      byte[] b = new byte[32];
      random.nextBytes(b);
      token = HexFormat.of().formatHex(b);
    }
    AtomicFiles.write(home.resolve(ReceiverProcess.TOKENS), (alias + " " + token + "\n")
        .getBytes(StandardCharsets.US_ASCII), true);
    return token;
  }

  /** The transit's {@code REPO TOKEN} line, split. */
  private static Optional<String[]> tokenLine(Path home) throws IOException {
    try {
      for (String line : Files.readAllLines(home.resolve(ReceiverProcess.TOKENS), StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2 && !f[0].startsWith("#")) {
          return Optional.of(f);
        }
      }
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** What {@code instance.properties} holds; {@code legacyPid} when it names a receiver of its own. */
  private record Record(String id, TaskId task, boolean legacyPid) {}

  private static void write(Path home, String id, TaskId task) throws IOException {
    AtomicFiles.write(home.resolve(RECORD),
        ("id=" + id + "\ntask=" + task.value() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<Record> read(Path home) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(home.resolve(RECORD), StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(new Record(p.getProperty("id", home.getFileName().toString()),
        new TaskId(p.getProperty("task", "")), p.getProperty("pid") != null));
  }
}
