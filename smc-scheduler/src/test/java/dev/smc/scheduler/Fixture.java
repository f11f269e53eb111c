package dev.smc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.CycleReport;
import dev.smc.ErrorCode;
import dev.smc.MigrationListener;
import dev.smc.RunMode;
import dev.smc.SmcException;
import dev.smc.TaskSpec;
import dev.smc.spi.Backend;
import dev.smc.spi.ImageStore;
import dev.smc.spi.InstanceProvider.TransitInstance;
import dev.smc.testkit.ManualClock;
import dev.smc.transfer.backend.InMemoryBackend;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A scheduler over real parts in a temporary folder: a {@link FileTaskStore}, a {@link Repository}
 * on an {@link InMemoryBackend} (or a given backend), a {@link LocalInstanceProvider}, a
 * {@link ManualClock} and the local engines behind a {@link GateEngine}.
 */
final class Fixture implements AutoCloseable {
  final Path dir;
  final Path home;
  final ManualClock clock = new ManualClock();
  final Backend backend;
  final Repository repo;
  final LocalInstanceProvider provider;
  final GateEngine engine = new GateEngine();
  final ExecutorService pool = Executors.newCachedThreadPool();
  final List<Migrations> opened = new ArrayList<>();
  private int sources;

  Fixture(Path dir) throws IOException {
    this(dir, new InMemoryBackend());
  }

  Fixture(Path dir, Backend backend) throws IOException {
    this.dir = dir;
    this.home = Files.createDirectories(dir.resolve("home"));
    this.backend = backend;
    this.repo = Repository.open(backend, Repository.options().clock(clock).packSize(64 << 10));
    this.provider = new LocalInstanceProvider(home.resolve("transit"));
  }

  /** A scheduler whose cycles run on a pool (async). */
  Migrations open() throws IOException {
    return open(Migrations.builder().executor(pool));
  }

  /** A scheduler whose cycles run inside the call that starts them. */
  Migrations openDirect() throws IOException {
    return open(Migrations.builder().executor(Runnable::run));
  }

  Migrations open(Migrations.Builder b) throws IOException {
    Migrations m = b.home(home).repository(repo).provider(provider).clock(clock).engine(engine).build();
    opened.add(m);
    return m;
  }

  /** A new source folder with two small files. */
  Path source() throws IOException {
    Path s = Files.createDirectories(dir.resolve("src" + (++sources)));
    Files.writeString(s.resolve("fixed.txt"), "unchanging content\n");
    Files.createDirectories(s.resolve("etc"));
    Files.writeString(s.resolve("etc/counter"), "0\n");
    return s;
  }

  TaskSpec.Builder spec(String name, Path source) {
    return TaskSpec.builder().name(name).source(source.toString()).imageName(name + "-img")
        .runMode(RunMode.createOnly());
  }

  TaskSpec.Builder incremental(String name, Path source) {
    return spec(name, source).incremental(Duration.ofHours(1), 3);
  }

  List<String> transitIds() throws IOException {
    return provider.transits().stream().map(TransitInstance::id).toList();
  }

  void assertNoTransit() throws IOException {
    assertEquals(List.of(), transitIds(), "no transit instance may be left running");
  }

  /** Restores an image into a new folder and returns every file's content (bytes as Latin-1) by relative path. */
  Map<String, String> restore(dev.smc.ImageRef ref) throws IOException {
    Path target = dir.resolve("restore-" + ref + "-" + System.nanoTime());
    new FileRestore(1).restore(repo, ref, target);
    return contents(target);
  }

  static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    engine.open();
    for (Migrations m : opened) {
      m.close();
    }
    pool.shutdownNow();
    repo.close();
  }

  /**
   * The local engines behind a gate: while closed, a cycle waits (in business step Syncing) before
   * copying, and an interrupt stops it as a pause would; {@link #failNext} makes the next cycles fail
   * like an unreadable source.
   */
  static final class GateEngine implements CycleEngine {
    private final CycleEngine real = CycleEngine.local();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    final Semaphore entered = new Semaphore(0);
    final AtomicInteger failNext = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();

    void close() {
      gate = new CountDownLatch(1);
    }

    void open() {
      gate.countDown();
    }

    /** Waits until {@code n} cycles have entered the engine. */
    void awaitEntered(int n) throws InterruptedException {
      if (!entered.tryAcquire(n, 20, TimeUnit.SECONDS)) {
        throw new AssertionError("no " + n + " cycles entered the engine");
      }
    }

    @Override
    public CycleReport run(TaskSpec spec, ImageStore store, MigrationListener listener) throws IOException {
      runs.incrementAndGet();
      entered.release();
      try {
        // a held cycle still reports progress, as the real engines do a few times a second
        long started = System.nanoTime();
        while (!gate.await(20, TimeUnit.MILLISECONDS)) {
          java.time.Duration elapsed = java.time.Duration.ofNanos(System.nanoTime() - started);
          listener.progress(new dev.smc.TaskId(spec.name()), new dev.smc.Progress(0, 1, 0, 0, 0, 0, elapsed));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SmcException(ErrorCode.CANCELLED, "cycle of " + spec.name() + " interrupted");
      }
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new SmcException(ErrorCode.SOURCE_IO, "source " + spec.source() + ": injected read failure");
      }
      return real.run(spec, store, listener);
    }
  }
}
