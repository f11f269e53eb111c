package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.scheduler.internal.AtomicFiles;
import dev.smc.scheduler.internal.ReceiverProcess;
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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transit instances as receivers on this machine: creating one starts a receiver
 * ({@code dev.smc.transfer.remote.ReceiverMain}) as a child process on loopback that serves the
 * repository folder to that task alone, with a fresh random token and its own self-signed
 * certificate, so a cycle's data goes over HTTPS through it as it would through a transit instance
 * in a cloud. Releasing one stops its process (SIGTERM, SIGKILL after 10 s) and removes its
 * folder, credentials first.
 *
 * <p>Each transit is a folder {@code <dir>/<id>/} (mode 0700): {@code instance.properties} (id,
 * task, pid, port, fingerprint, endpoint; written atomically), {@code tokens} (the one
 * {@code REPO TOKEN} line, mode 0600), {@code certs/}, {@code receiver.log}. The record is written
 * before the process starts, so a crash at any point leaves a transit that {@link #transits()}
 * lists and {@link #releaseTransit} stops. Receivers outlive this object and this JVM, as a
 * transit instance outlives the program that made it; {@link #ensureRunning} starts one again
 * (same token and certificate, maybe another port) after a reboot or a kill. A process is only
 * signalled when its command line shows it is that transit's receiver.
 *
 * <p>This machine has one network: both endpoints are {@code https://127.0.0.1:PORT/REPO}, REPO
 * being the repository folder's name and the receiver's root its parent.
 *
 * <p>Thread-safe. Two processes must not change one transit at once (the scheduler changes a
 * task's transit only under the task's lock).
 */
public final class LocalReceiverProvider implements InstanceProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LocalReceiverProvider.class);
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
  /** How long a receiver may take to finish its requests when asked to stop. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String RECORD = "instance.properties";

  private final Path dir;
  private final Path root;
  private final String repo;
  private final List<String> jvmOptions;
  private final Duration readyTimeout;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  /** Transits in {@code dir}, each a receiver serving {@code repositoryFolder}. */
  public LocalReceiverProvider(Path dir, Path repositoryFolder) throws IOException {
    this(dir, repositoryFolder, List.of(), DEFAULT_READY_TIMEOUT);
  }

  /**
   * As {@link #LocalReceiverProvider(Path, Path)}, with options for the receivers' JVM (they follow
   * {@code -XX:+UseSerialGC}) and how long a receiver may take to serve after it was started.
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
    this.root = repoFolder.getParent();
    this.repo = repoFolder.getFileName().toString();
    this.jvmOptions = List.copyOf(jvmOptions);
    this.readyTimeout = readyTimeout;
    this.dir = Files.createDirectories(dir).toAbsolutePath().normalize();
  }

  @Override
  public TransitInstance createTransit(TaskId task) throws IOException {
    byte[] suffix = new byte[8];
    random.nextBytes(suffix);
    String id = "transit-" + task.value() + "-" + HexFormat.of().formatHex(suffix);
    Path home = home(id);
    synchronized (lock(id)) {
      AtomicFiles.createPrivateDirectory(home);
      try {
        String token = newToken(home);
        Record r = new Record(id, task, Optional.empty(), 0, "", "");
        write(home, r); // listed from here on: whatever happens next, a release finds and stops it
        AtomicFiles.syncDir(dir);
        return start(home, r, token);
      } catch (IOException | RuntimeException e) {
        try {
          remove(home);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  @Override
  public void releaseTransit(TransitInstance instance) throws IOException {
    Path home = home(instance.id());
    synchronized (lock(instance.id())) {
      remove(home);
    }
  }

  @Override
  public TransitInstance ensureRunning(TransitInstance instance) throws IOException {
    Path home = home(instance.id());
    synchronized (lock(instance.id())) {
      Record r = read(home).orElseThrow(() -> new NoSuchFileException(home.toString(), null,
          "transit " + instance.id() + " does not exist (released?)"));
      Optional<String> token = token(home);
      if (token.isPresent() && running(home, r).isPresent()) {
        return r.instance(token);
      }
      for (ProcessHandle stray : ReceiverProcess.find(home)) { // started, but its pid never recorded
        ReceiverProcess.stop(stray, STOP_GRACE);
      }
      LOG.info("transit {}: its receiver {} does not run; starting it again", r.id,
          r.pid.map(p -> "(pid " + p + ")").orElse("(never started)"));
      return start(home, r, token.isPresent() ? token.get() : newToken(home));
    }
  }

  @Override
  public List<TransitInstance> transits() throws IOException {
    List<TransitInstance> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Optional<Record> r = read(p);
        if (r.isPresent()) {
          out.add(r.get().instance(token(p)));
        }
      }
    }
    out.sort(Comparator.comparing(TransitInstance::id));
    return out;
  }

  /** The receiver process of a transit, when it runs. */
  public Optional<ProcessHandle> process(String transitId) throws IOException {
    Path home = home(transitId);
    Optional<Record> r = read(home);
    return r.isEmpty() ? Optional.empty() : running(home, r.get());
  }

  @Override
  public String toString() {
    return "LocalReceiverProvider[" + dir + ", serving " + root.resolve(repo) + "]";
  }

  // ---------------------------------------------------------------- helpers

  private Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  private Path home(String id) {
    Path home = dir.resolve(id).normalize();
    if (id.isEmpty() || !dir.equals(home.getParent())) {
      throw new IllegalArgumentException("transit id '" + id + "' is not a folder name");
    }
    return home;
  }

  private TransitInstance start(Path home, Record r, String token) throws IOException {
    ReceiverProcess.Serving s = ReceiverProcess.start(home, root, jvmOptions, readyTimeout);
    Record now = new Record(r.id, r.task, Optional.of(s.pid()), s.port(), s.fingerprint(),
        "https://127.0.0.1:" + s.port() + "/" + repo);
    write(home, now);
    LOG.info("transit {}: receiver pid {} serves {} at {}", r.id, s.pid(), root.resolve(repo), now.endpoint);
    return now.instance(Optional.of(token));
  }

  private static Optional<ProcessHandle> running(Path home, Record r) {
    return r.pid.flatMap(ProcessHandle::of).filter(h -> h.isAlive() && ReceiverProcess.isReceiverOf(h, home));
  }

  /** Stops every receiver of the transit, deletes its credentials, its record, then the rest. */
  private void remove(Path home) throws IOException {
    if (!Files.exists(home)) {
      return;
    }
    for (ProcessHandle h : ReceiverProcess.find(home)) {
      ReceiverProcess.stop(h, STOP_GRACE);
      LOG.info("transit {}: receiver pid {} stopped", home.getFileName(), h.pid());
    }
    Files.deleteIfExists(home.resolve(ReceiverProcess.TOKENS));
    AtomicFiles.deleteTree(home.resolve(ReceiverProcess.CERTS));
    Files.deleteIfExists(home.resolve(RECORD));
    AtomicFiles.deleteTree(home);
    AtomicFiles.syncDir(dir);
  }

  private String newToken(Path home) throws IOException {
    byte[] b = new byte[32];
    random.nextBytes(b);
    String token = HexFormat.of().formatHex(b);
    AtomicFiles.write(home.resolve(ReceiverProcess.TOKENS), (repo + " " + token + "\n").getBytes(StandardCharsets.US_ASCII),
        true);
    return token;
  }

  private static Optional<String> token(Path home) throws IOException {
    try {
      for (String line : Files.readAllLines(home.resolve(ReceiverProcess.TOKENS), StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2 && !f[0].startsWith("#")) {
          return Optional.of(f[1]);
        }
      }
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** What {@code instance.properties} holds; port 0 and empty strings before the first start. */
  private record Record(String id, TaskId task, Optional<Long> pid, int port, String fingerprint, String endpoint) {
    TransitInstance instance(Optional<String> token) {
      Optional<Access> access = token.isPresent() && !fingerprint.isEmpty()
          ? Optional.of(new Access(token.get(), fingerprint)) : Optional.empty();
      return new TransitInstance(id, task, endpoint, endpoint, access);
    }
  }

  private static void write(Path home, Record r) throws IOException {
    String text = "id=" + r.id + "\ntask=" + r.task.value() + "\n"
        + r.pid.map(p -> "pid=" + p + "\nport=" + r.port + "\nfingerprint=" + r.fingerprint + "\nendpoint="
            + r.endpoint + "\n").orElse("");
    AtomicFiles.write(home.resolve(RECORD), text.getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<Record> read(Path home) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(home.resolve(RECORD), StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String pid = p.getProperty("pid");
    return Optional.of(new Record(p.getProperty("id", home.getFileName().toString()), new TaskId(p.getProperty("task", "")),
        pid == null ? Optional.empty() : Optional.of(Long.parseLong(pid)),
        Integer.parseInt(p.getProperty("port", "0")), p.getProperty("fingerprint", ""),
        p.getProperty("endpoint", "")));
  }
}
