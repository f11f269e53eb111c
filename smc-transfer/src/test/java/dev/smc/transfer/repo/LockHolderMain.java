package dev.smc.transfer.repo;

import dev.smc.TransferOptions;
import dev.smc.spi.ImageKind;
import dev.smc.transfer.backend.LocalFolderBackend;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A process that takes a lock on a repository and holds it until it is killed: {@code REPO shared}
 * starts a cycle (a writer's shared lock), {@code REPO exclusive} takes garbage collection's lock.
 * Prints {@code locked} once it holds it.
 */
public final class LockHolderMain {
  private LockHolderMain() {}

  public static void main(String[] args) throws Exception {
    Repository repo = Repository.open(LocalFolderBackend.openWithoutSync(Path.of(args[0])));
    if (args[1].equals("shared")) {
      repo.newImage("held", ImageKind.FILES, TransferOptions.DEFAULTS);
    } else {
      new Locks(repo.backend(), Clock.systemUTC(), Locks.DEFAULT_REFRESH, Locks.DEFAULT_STALE).exclusive();
    }
    System.out.println("locked");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
