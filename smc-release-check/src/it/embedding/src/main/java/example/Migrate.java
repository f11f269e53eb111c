// README:java begin
package example;

import dev.smc.CycleReport;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.Units;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Migrate SOURCE REPOSITORY RESTORE_TO: one cycle of a folder, retention, garbage collection, a restore. */
public final class Migrate {
  public static void main(String[] args) throws IOException {
    Path source = Path.of(args[0]);      // a mounted tree, e.g. /mnt/web01
    Path repository = Path.of(args[1]);  // e.g. /srv/smc-repo (created when missing)
    Path restoreTo = Path.of(args[2]);   // an empty or missing folder

    TransferOptions options = TransferOptions.builder()
        .compressionLevel(1)             // 0 = none (the default) .. 10 = smallest
        .bandwidthLimitKBps(0)           // 0 = unlimited
        .checksum(true)                  // read back what was stored, verify before the cycle counts
        .build();                        // every bad field reported at once (InvalidSpecException)

    MigrationListener progress = new MigrationListener() {
      @Override
      public void progress(TaskId task, Progress p) {  // on engine threads: keep it short
        // '~' while the total is an estimate (the parent image; a mount point's used bytes); a folder's first
        // cycle has none (-1) until the walk has counted it
        String done = p.bytesTotal() < 0 ? "counting" : String.format("%s%.1f%% of %s",
            p.totalEstimated() ? "~" : "", p.percent(), Units.bytes(p.bytesTotal()));
        System.out.printf("%s: %s, sent %s at %s, ETA %s%n", task, done, Units.bytes(p.bytesSent()),
            Units.rate(p.sentBytesPerSecond()), p.eta().map(Units::duration).orElse("-"));
      }
    };

    try (Repository repo = Repository.open(LocalFolderBackend.open(repository))) {
      CycleReport cycle = FileMigration.builder().listener(progress).build()
          .run(repo, source, "web01", Excludes.of(List.of("var/cache/", "*.tmp")), options); // web01-CYCLE_<n>
      System.out.println(cycle.image() + ": " + cycle.bytesStored() + " bytes stored, " + cycle.warnings().size()
          + " warning(s)");
      repo.forget("web01", 3);           // keep the newest 3 cycles of web01 (pinned ones too)
      repo.gc();                         // free what no image uses
      new FileRestore().restore(repo, cycle.image(), restoreTo);
    }
  }
}
// README:java end
