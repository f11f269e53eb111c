package dev.smc.examples.cli;

import dev.smc.transfer.repo.GarbageCollector;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smc gc}: frees the space of chunks no image uses, under the repository's exclusive lock. */
@Command(name = "gc", description = "Free the space of data no image uses (after forget); what is still"
    + " readable of damaged packs is saved first.")
final class GcCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--dry-run", description = "Say what would be freed; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  GcCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    try (Repository r = repo.existing(this)) {
      if (dryRun) {
        GarbageCollector.Plan p = r.planGc();
        cli.out().println(json ? Json.of(plan(p)) : "would: " + p);
        return ExitCode.OK;
      }
      GarbageCollector.Result g = r.gc();
      if (json) {
        Map<String, Object> m = plan(g.plan());
        m.put("bytesBefore", g.bytesBefore());
        m.put("bytesAfter", g.bytesAfter());
        cli.out().println(Json.of(m));
      } else {
        cli.out().println(g.plan() + "; repository data " + Fmt.size(g.bytesBefore()) + " -> "
            + Fmt.size(g.bytesAfter()));
      }
      return ExitCode.OK;
    }
  }

  private static Map<String, Object> plan(GarbageCollector.Plan p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", p.images());
    m.put("chunksUsed", p.chunksUsed());
    m.put("packsKept", p.keep().size());
    m.put("packsDeleted", p.delete().size());
    m.put("packsRepacked", p.repack().size());
    m.put("packsSalvaged", p.salvage().size());
    m.put("bytesFreed", p.bytesFreed());
    return m;
  }
}
