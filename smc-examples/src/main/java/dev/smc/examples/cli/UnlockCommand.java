package dev.smc.examples.cli;

import dev.smc.transfer.repo.LockInfo;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code smc unlock --repo REPO [--all] [--json]}: removes the locks of processes that are gone (dead
 * on this host, or not refreshed for the stale time); {@code --all} removes every lock, for when no
 * smc process uses the repository. Prints each lock removed, and the locks that stay.
 */
@Command(name = "unlock", description = "Remove the locks of smc processes that are gone (dead on this host,"
    + " or not refreshed for 10 minutes); prints each lock removed and those that stay.")
final class UnlockCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--all", description = "Remove every lock, live ones too: only when no smc process uses the"
      + " repository.")
  boolean all;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  UnlockCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    try (Repository r = repo.existing(this)) {
      return unlock(r, cli.out());
    }
  }

  private int unlock(Repository repo, PrintStream out) throws IOException {
    List<LockInfo> removed = repo.unlock(all);
    List<LockInfo> left = repo.lockStatus();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("removed", describe(removed));
      m.put("held", describe(left));
      out.println(Json.of(m));
      return 0;
    }
    for (LockInfo l : removed) {
      out.println("removed lock " + l.describe());
    }
    for (LockInfo l : left) {
      out.println("lock stays: " + l.describe());
    }
    if (removed.isEmpty()) {
      out.println(left.isEmpty() ? "no locks" : "no lock removed: the locks left are live (--all removes them too)");
    }
    return 0;
  }

  private static List<Object> describe(List<LockInfo> locks) {
    List<Object> out = new ArrayList<>();
    for (LockInfo l : locks) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("lock", l.object());
      m.put("kind", l.kind());
      m.put("host", l.host());
      m.put("pid", l.pid());
      m.put("since", l.since() == null ? null : l.since().toString());
      m.put("ageSeconds", l.age().toSeconds());
      m.put("state", l.state().name());
      out.add(m);
    }
    return out;
  }
}
