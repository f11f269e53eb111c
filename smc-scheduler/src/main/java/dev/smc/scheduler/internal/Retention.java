package dev.smc.scheduler.internal;

import dev.smc.ImageRef;
import dev.smc.TaskSpec;
import dev.smc.spi.ImageInfo;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The image policy after each cycle of an incremental task: the newest {@code maxImages} images of
 * its image name stay; beyond that the oldest that nothing uses (not pinned) are deleted. Pinned
 * images count towards the limit but are never deleted. Stateless.
 */
public final class Retention {
  private Retention() {}

  /** Applies the policy of {@code spec} (none for a one-time task); returns the images deleted, oldest first. */
  public static List<ImageRef> apply(Repository repo, TaskSpec spec) throws IOException {
    if (spec.syncPolicy().isEmpty()) {
      return List.of();
    }
    int max = spec.syncPolicy().get().maxImages();
    List<ImageInfo> of = repo.images().stream().filter(i -> i.ref().name().equals(spec.imageName()))
        .sorted(Comparator.comparingInt(i -> i.ref().cycle())).toList();
    List<ImageRef> removed = new ArrayList<>();
    int count = of.size();
    for (ImageInfo i : of) {
      if (count <= max) {
        break;
      }
      if (!i.pinned()) {
        repo.delete(i.ref());
        removed.add(i.ref());
        count--;
      }
    }
    return removed;
  }
}
