package dev.smc.scheduler;

import dev.smc.TaskId;
import dev.smc.scheduler.internal.AtomicFiles;
import dev.smc.spi.InstanceProvider;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Transit instances on this machine: each is a folder {@code <dir>/<id>/} holding an
 * {@code instance.properties} record (written atomically) and room for what a receiver would keep.
 * {@link #transits()} lists the folders, so it stays truthful across restarts and processes. No
 * process runs and no credentials are asked: a cycle writes straight into the repository
 * ({@link LocalReceiverProvider} makes each transit a receiver that the data goes through).
 * Thread-safe.
 */
public final class LocalInstanceProvider implements InstanceProvider {
  private static final String RECORD = "instance.properties";
  private final Path dir;

  public LocalInstanceProvider(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  @Override
  public synchronized TransitInstance createTransit(TaskId task) throws IOException {
    String id = "transit-" + task.value() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    Path home = dir.resolve(id);
    Files.createDirectory(home);
    TransitInstance t = new TransitInstance(id, task, home.toUri().toString());
    String record = "id=" + id + "\ntask=" + task.value() + "\nendpoint=" + t.endpoint() + "\n";
    AtomicFiles.write(home.resolve(RECORD), record.getBytes(StandardCharsets.UTF_8));
    AtomicFiles.syncDir(dir);
    return t;
  }

  @Override
  public synchronized void releaseTransit(TransitInstance instance) throws IOException {
    Path home = dir.resolve(instance.id()).normalize();
    if (!home.getParent().equals(dir.normalize())) {
      throw new IllegalArgumentException("transit id '" + instance.id() + "' is not a folder name");
    }
    // the record goes first: a release cut short leaves a folder that transits() no longer lists
    Files.deleteIfExists(home.resolve(RECORD));
    AtomicFiles.deleteTree(home);
    AtomicFiles.syncDir(dir);
  }

  @Override
  public synchronized List<TransitInstance> transits() throws IOException {
    List<TransitInstance> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Properties props = new Properties();
        try {
          props.load(new StringReader(Files.readString(p.resolve(RECORD), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
          continue;
        }
        out.add(new TransitInstance(props.getProperty("id"), new TaskId(props.getProperty("task")),
            props.getProperty("endpoint")));
      }
    }
    out.sort(Comparator.comparing(TransitInstance::id));
    return out;
  }

  @Override
  public String toString() {
    return "LocalInstanceProvider[" + dir + "]";
  }
}
