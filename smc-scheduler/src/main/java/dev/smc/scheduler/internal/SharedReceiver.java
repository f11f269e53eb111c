package dev.smc.scheduler.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one receiver process that serves every transit of a provider folder {@code DIR}: its files are
 * in {@code DIR/receiver/} (mode 0700) — {@code tokens} (every transit's {@code ALIAS TOKEN} line,
 * mode 0600, replaced by a rename so the running receiver reads it again on its next request),
 * {@code certs/} (one key and certificate for its whole life), {@code repos/ALIAS} (a link to each
 * repository folder served, so one receiver serves repositories wherever they are),
 * {@code receiver.properties} (pid, port, fingerprint, written once it serves) and
 * {@code receiver.log}. {@code DIR/receiver.lock} is never deleted: it is the file lock that
 * {@link #locked} takes, so that two JVMs never start two receivers or change the tokens at once.
 *
 * <p>Thread-safe: every method but {@link #locked} must be called inside it.
 */
public final class SharedReceiver {
  public static final String FOLDER = "receiver";
  public static final String LOCK = "receiver.lock";
  private static final String STATE = "receiver.properties";
  private static final String REPOS = "repos";
  /** How long a receiver may take to finish its requests when asked to stop. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);
  /** One lock per provider folder in this JVM: a file lock is held by the JVM, not the thread. */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final Path dir;
  private final Path home;
  private final List<String> jvmOptions;
  private final Duration readyTimeout;

  /** An action under the lock. */
  public interface Locked<T> {
    T run() throws IOException;
  }

  public SharedReceiver(Path dir, List<String> jvmOptions, Duration readyTimeout) {
    this.dir = dir;
    this.home = dir.resolve(FOLDER);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.readyTimeout = readyTimeout;
  }

  /** The receiver's folder. */
  public Path home() {
    return home;
  }

  /** Runs {@code action} holding this folder's lock, against threads of this JVM and other processes. */
  public <T> T locked(Locked<T> action) throws IOException {
    ReentrantLock mine = IN_JVM.computeIfAbsent(dir, k -> new ReentrantLock());
    mine.lock();
    try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      return action.run();
    } finally {
      mine.unlock();
    }
  }

  /**
   * The name under which the receiver serves {@code repository}: its folder's name, or, when that
   * name already serves another folder, the name with a hash of the folder's path.
   */
  public String link(Path repository) throws IOException {
    Path folder = Files.createDirectories(repository.toAbsolutePath().normalize()); // as a receiver makes a repository
    String name = folder.getFileName().toString();
    Path repos = Files.createDirectories(folder().resolve(REPOS));
    for (String alias : List.of(name, shorten(name) + "-" + hash(folder.toString()))) {
      Path link = repos.resolve(alias);
      if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(folder)) {
        return alias;
      }
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, folder);
        return alias;
      }
    }
    throw new IOException(repos + " serves other folders as both '" + name + "' and its hashed name");
  }

  /** The access list's lines as they are now (none before the first transit). */
  public List<String> tokens() throws IOException {
    try {
      return Files.readAllLines(home.resolve(ReceiverProcess.TOKENS), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** Replaces the access list at once (the receiver reads it again on its next request). */
  public void writeTokens(List<String> lines) throws IOException {
    Path tokens = folder().resolve(ReceiverProcess.TOKENS);
    List<String> sorted = lines.stream().sorted().distinct().toList();
    byte[] text = (sorted.isEmpty() ? "" : String.join("\n", sorted) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      if (Arrays.equals(Files.readAllBytes(tokens), text)) {
        return;
      }
    } catch (NoSuchFileException e) {
      // written below
    }
    AtomicFiles.write(tokens, text, true);
  }

  /** The receiver as last started (it may have died since). */
  public Optional<ReceiverProcess.Serving> state() throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(home.resolve(STATE), StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(new ReceiverProcess.Serving(Long.parseLong(p.getProperty("pid")),
        Integer.parseInt(p.getProperty("port")), p.getProperty("fingerprint"), Optional.ofNullable(p.getProperty("unix")).map(Path::of)));
  }

  /** Its process, when the recorded one runs and is this folder's receiver. */
  public Optional<ProcessHandle> process() throws IOException {
    return state().flatMap(s -> ProcessHandle.of(s.pid()))
        .filter(h -> h.isAlive() && ReceiverProcess.isReceiverOf(h, home));
  }

  /**
   * Makes it serve: the recorded receiver when it runs, else (after stopping any receiver of this
   * folder whose start was never recorded) a new one with the same certificate, maybe on another port.
   */
  public ReceiverProcess.Serving ensureRunning() throws IOException {
    Optional<ReceiverProcess.Serving> s = state();
    if (s.isPresent() && process().isPresent()) {
      return s.get();
    }
    stopAll();
    Files.deleteIfExists(home.resolve(STATE));
    ReceiverProcess.Serving now = ReceiverProcess.start(home, home.resolve(REPOS), jvmOptions, readyTimeout);
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(now.pid()));
    p.setProperty("port", Integer.toString(now.port()));
    p.setProperty("fingerprint", now.fingerprint());
    now.unixSocket().ifPresent(u -> p.setProperty("unix", u.toString()));
    StringWriter text = new StringWriter();
    p.store(text, null);
    AtomicFiles.write(home.resolve(STATE), text.toString().getBytes(StandardCharsets.UTF_8));
    return now;
  }

  /**
   * Stops every receiver of this folder (SIGTERM, SIGKILL after {@link #STOP_GRACE}) and removes
   * the folder, credentials first; returns the pids stopped.
   */
  public List<Long> stop() throws IOException {
    List<Long> stopped = new ArrayList<>();
    for (ProcessHandle h : ReceiverProcess.find(home)) {
      ReceiverProcess.stop(h, STOP_GRACE);
      stopped.add(h.pid());
    }
    Files.deleteIfExists(home.resolve(ReceiverProcess.TOKENS));
    AtomicFiles.deleteTree(home.resolve(ReceiverProcess.CERTS));
    Files.deleteIfExists(home.resolve(STATE));
    AtomicFiles.deleteTree(home);
    return stopped;
  }

  private void stopAll() throws IOException {
    for (ProcessHandle h : ReceiverProcess.find(home)) {
      ReceiverProcess.stop(h, STOP_GRACE);
    }
  }

  private Path folder() throws IOException {
    if (!Files.isDirectory(home)) {
      AtomicFiles.createPrivateDirectory(home);
    }
    return home;
  }

  private static String shorten(String name) {
    return name.length() > 51 ? name.substring(0, 51) : name;
  }

  private static String hash(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
