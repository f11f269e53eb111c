package dev.smc.transfer.files;

import dev.smc.ErrorCode;
import dev.smc.SmcException;
import dev.smc.spi.ImageStore;
import dev.smc.transfer.internal.posix.PathBytes;
import dev.smc.transfer.internal.posix.Stat;
import dev.smc.transfer.paths.FolderId;
import dev.smc.transfer.paths.StoreFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Folders a cycle never copies, wherever they turn up in the source: the folder of the store the
 * image goes to (else every cycle would store the repository into itself and it would grow without
 * end), and any other folder the caller names (smc's caches, a task store). They are known by
 * device and inode, so no symlink, bind mount or other spelling of the path brings one in. A source
 * that is such a folder, or that lies inside the store's folder, is refused. Immutable.
 */
final class LeftOut {
  private final Map<FolderId, String> folders;

  private LeftOut(Map<FolderId, String> folders) {
    this.folders = Map.copyOf(folders);
  }

  /**
   * The folders to leave out of a cycle into {@code store}: its own folder, if it has one on this
   * machine, and those of {@code others} (each with what it is, for the warning) that exist.
   *
   * @throws SmcException {@code INVALID_SPEC} when the source {@code root} is one of them, or lies
   *     inside the store's folder
   */
  static LeftOut of(ImageStore store, Map<Path, String> others, byte[] root, Stat rootStat) throws IOException {
    Map<FolderId, String> m = new LinkedHashMap<>();
    Optional<Path> repo = StoreFolder.of(store);
    String source = PathBytes.printable(root);
    if (repo.isPresent()) {
      Optional<FolderId> id = FolderId.of(repo.get());
      if (id.isPresent()) {
        if (id.get().is(rootStat.dev(), rootStat.ino()) || id.get().holdsFolder(root)) {
          throw new SmcException(ErrorCode.INVALID_SPEC, "source " + source + " is "
              + (id.get().is(rootStat.dev(), rootStat.ino()) ? "" : "inside ") + "the repository " + repo.get()
              + ": a repository is never stored into itself; give a repository outside the source, or a source"
              + " outside the repository");
        }
        m.put(id.get(), "the repository " + repo.get() + " this cycle writes to");
      }
    }
    for (Map.Entry<Path, String> o : others.entrySet()) {
      Optional<FolderId> id = FolderId.of(o.getKey());
      if (id.isPresent()) {
        if (id.get().is(rootStat.dev(), rootStat.ino())) {
          throw new SmcException(ErrorCode.INVALID_SPEC, "source " + source + " is " + o.getValue()
              + ", which is never copied");
        }
        m.putIfAbsent(id.get(), o.getValue());
      }
    }
    return new LeftOut(m);
  }

  /** What the folder {@code st} describes is, when it is to be left out. */
  Optional<String> what(Stat st) {
    if (folders.isEmpty() || !st.isDirectory()) {
      return Optional.empty();
    }
    return Optional.ofNullable(folders.get(new FolderId(st.dev(), st.ino())));
  }
}
