package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.scheduler.internal.AtomicFiles;
import dev.smc.scheduler.internal.TaskCodec;
import dev.smc.scheduler.spi.BatchIntent;
import dev.smc.scheduler.spi.TaskStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link TaskStore}: a folder with {@code tasks/<id>.task} (written atomically:
 * temporary file, fsync, rename, folder fsync), {@code tasks/<id>.log} (one event a line, each
 * append forced to disk; a line cut by a crash is dropped on read), {@code tasks/<batch>.batch} (a
 * batch being created: its task ids, written atomically) and {@code locks/<id>.lock}
 * (held with {@link FileChannel#tryLock()} while a cycle runs, so the OS releases it when the
 * process dies). Thread-safe; several processes may share one folder.
 */
public final class FileTaskStore implements TaskStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileTaskStore.class);
  private final Path tasks;
  private final Path locks;

  /** Opens (creating when missing) the store in {@code home}. */
  public FileTaskStore(Path home) throws IOException {
    this.tasks = Files.createDirectories(home.resolve("tasks"));
    this.locks = Files.createDirectories(home.resolve("locks"));
  }

  @Override
  public List<MigrationTask> tasks() throws IOException {
    List<MigrationTask> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (f.contains(AtomicFiles.TEMP_MARKER)) {
          LOG.debug("ignoring {}: a write a crash interrupted", p);
        } else if (f.endsWith(".task")) {
          read(p).ifPresent(out::add);
        }
      }
    }
    return out;
  }

  @Override
  public Optional<MigrationTask> task(TaskId id) throws IOException {
    return read(taskFile(id));
  }

  private Optional<MigrationTask> read(Path p) throws IOException {
    try {
      return Optional.of(TaskCodec.decode(Files.readAllBytes(p), p.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized void put(MigrationTask task) throws IOException {
    AtomicFiles.write(taskFile(task.id()), TaskCodec.encode(task));
  }

  @Override
  public synchronized void remove(TaskId id) throws IOException {
    Files.deleteIfExists(taskFile(id));
    Files.deleteIfExists(tasks.resolve(checked(id) + ".log"));
    AtomicFiles.syncDir(tasks);
  }

  @Override
  public synchronized void appendLog(TaskId id, LogEntry entry) throws IOException {
    AtomicFiles.appendLine(tasks.resolve(checked(id) + ".log"), TaskCodec.logLine(entry));
  }

  @Override
  public List<LogEntry> log(TaskId id) throws IOException {
    Path p = tasks.resolve(checked(id) + ".log");
    if (!Files.exists(p)) {
      return List.of();
    }
    String text = Files.readString(p, StandardCharsets.UTF_8);
    List<LogEntry> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    // the last element is "" after a final newline, or a line a crash cut short: skip it either way
    for (int i = 0; i < lines.length - 1; i++) {
      TaskCodec.parseLogLine(lines[i]).ifPresent(out::add);
    }
    return out;
  }

  /** A batch is {@code tasks/<batch id>.batch}: its task ids, one a line, written atomically. */
  @Override
  public synchronized void putBatch(BatchIntent batch) throws IOException {
    StringBuilder b = new StringBuilder();
    batch.tasks().forEach(t -> b.append(checked(t)).append('\n'));
    AtomicFiles.write(batchFile(batch.id()), b.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public List<BatchIntent> batches() throws IOException {
    List<BatchIntent> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks, "*.batch")) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (f.contains(AtomicFiles.TEMP_MARKER)) {
          continue;
        }
        List<TaskId> ids = new ArrayList<>();
        try {
          for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
              ids.add(new TaskId(line.trim()));
            }
          }
        } catch (NoSuchFileException e) {
          continue; // removed meanwhile: the batch ended
        }
        out.add(new BatchIntent(f.substring(0, f.length() - ".batch".length()), ids));
      }
    }
    return out;
  }

  @Override
  public synchronized void removeBatch(String id) throws IOException {
    Files.deleteIfExists(batchFile(id));
    AtomicFiles.syncDir(tasks);
  }

  private Path batchFile(String id) {
    return tasks.resolve(new BatchIntent(id, List.of()).id() + ".batch");
  }

  /** A pause request is an empty file beside the task's lock, taken by deleting it. */
  @Override
  public void requestPause(TaskId id) throws IOException {
    try {
      Files.createFile(locks.resolve(checked(id) + ".pause"));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // requested already
    }
  }

  @Override
  public boolean takePauseRequest(TaskId id) throws IOException {
    return Files.deleteIfExists(locks.resolve(checked(id) + ".pause"));
  }

  @Override
  public Optional<Lock> tryLock(TaskId id) throws IOException {
    FileChannel ch = FileChannel.open(locks.resolve(checked(id) + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // held by this JVM (another instance over the same home)
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (l == null) {
      ch.close();
      return Optional.empty();
    }
    FileLock held = l;
    AtomicBoolean open = new AtomicBoolean(true);
    return Optional.of(() -> {
      if (!open.getAndSet(false)) {
        return; // closed already: release() of a closed channel would throw
      }
      try {
        held.release();
      } finally {
        ch.close();
      }
    });
  }

  @Override
  public void close() {}

  private Path taskFile(TaskId id) {
    return tasks.resolve(checked(id) + ".task");
  }

  private static String checked(TaskId id) {
    if (!id.value().matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("task id '" + id + "': letters, digits, '_' and '-' only");
    }
    return id.value();
  }

  @Override
  public String toString() {
    return "FileTaskStore[" + tasks.getParent() + "]";
  }
}
