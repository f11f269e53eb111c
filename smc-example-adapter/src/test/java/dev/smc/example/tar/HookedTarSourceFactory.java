package dev.smc.example.tar;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.MigrationSourceFactory;
import dev.smc.spi.SnapshotHooks;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Scheme {@code tar-hooked}: the example's source with hooks of its own that record when they run, to prove
 * that a scheduled task's cycles run the source's hooks around their read.
 */
public final class HookedTarSourceFactory implements MigrationSourceFactory {
  /** What the hooks and the snapshot did, in order. */
  static final List<String> CALLS = new CopyOnWriteArrayList<>();

  @Override
  public String scheme() {
    return "tar-hooked";
  }

  @Override
  public MigrationSource open(String location) {
    TarSource tar = new TarSource(Path.of(location));
    return new MigrationSource() {
      @Override
      public String id() {
        return "tar-hooked:" + location;
      }

      @Override
      public SourceDescription describe() throws IOException {
        return tar.describe();
      }

      @Override
      public SourceSnapshot open() throws IOException {
        CALLS.add("open");
        SourceSnapshot s = tar.open();
        return new SourceSnapshot() {
          @Override
          public byte[] root() {
            return s.root();
          }

          @Override
          public void close() throws IOException {
            CALLS.add("close");
            s.close();
          }
        };
      }

      @Override
      public SnapshotHooks hooks() {
        return new SnapshotHooks() {
          @Override
          public void before() {
            CALLS.add("before");
          }

          @Override
          public void after() {
            CALLS.add("after");
          }
        };
      }
    };
  }
}
