package dev.smc.transfer.files;

import dev.smc.spi.ImageKind;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription.OsType;
import dev.smc.testkit.MigrationSourceContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The migration source contract for a folder of a few files: a file-level source without disks. */
class LocalTreeSourceContractTest extends MigrationSourceContract {
  @TempDir
  Path tmp;
  private Path tree;

  @BeforeEach
  void createTree() throws IOException {
    tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("a.txt"), "a");
    Files.write(Files.createDirectories(tree.resolve("sub/deeper")).resolve("b.bin"), new byte[100_000]);
  }

  @Override
  protected MigrationSource newSource() {
    return new LocalTreeSource(tree);
  }

  @Override
  protected Expected expected() {
    return new Expected(ImageKind.FILES, 0, OsType.OTHER);
  }
}
