package dev.smc.examples.cli;

import dev.smc.SnapshotCommands;
import java.util.Optional;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/** {@code --pre-snapshot CMD --post-snapshot CMD}, as {@code migrate} and {@code task create} take them. */
final class SnapshotOptions {
  @Option(names = "--pre-snapshot", paramLabel = "CMD", description = "A shell command run before each cycle"
      + " reads the source (e.g. to freeze a database); the cycle fails if it does.")
  @Nullable String preSnapshot;

  @Option(names = "--post-snapshot", paramLabel = "CMD", description = "A shell command run after each cycle read"
      + " the source; when it fails after the image was made, the image is kept and the cycle is reported failed"
      + " (migrate exits 4).")
  @Nullable String postSnapshot;

  SnapshotCommands commands() {
    return new SnapshotCommands(Optional.ofNullable(preSnapshot), Optional.ofNullable(postSnapshot));
  }
}
