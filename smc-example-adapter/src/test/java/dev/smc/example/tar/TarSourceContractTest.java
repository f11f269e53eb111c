package dev.smc.example.tar;

import dev.smc.spi.ImageKind;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.testkit.MigrationSourceContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The adapter proves itself with the testkit's contract, as every MigrationSource does. */
class TarSourceContractTest extends MigrationSourceContract {
  @TempDir
  Path tmp;

  private Path tar;

  @BeforeEach
  void archive() throws Exception {
    tar = tmp.resolve("web.tar");
    ServerArchive.write(tmp.resolve("files"), tar, 1);
  }

  @Override
  protected MigrationSource newSource() throws IOException {
    return new TarSourceFactory().open(tar.toString());
  }

  @Override
  protected Expected expected() {
    return new Expected(ImageKind.FILES, 0, SourceDescription.OsType.LINUX);
  }
}
