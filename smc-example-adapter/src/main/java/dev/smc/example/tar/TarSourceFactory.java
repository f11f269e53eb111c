package dev.smc.example.tar;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.MigrationSourceFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Sources named {@code tar:/path/to/server.tar}: see {@link TarSource}. Registered in META-INF/services. */
public final class TarSourceFactory implements MigrationSourceFactory {
  @Override
  public String scheme() {
    return "tar";
  }

  @Override
  public MigrationSource open(String location) throws IOException {
    Path archive = Path.of(location);
    if (!Files.isRegularFile(archive)) {
      throw new NoSuchFileException(location, null, "no tar archive there");
    }
    return new TarSource(archive);
  }
}
