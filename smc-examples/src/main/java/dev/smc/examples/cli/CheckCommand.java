package dev.smc.examples.cli;

import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smc check}: the repository's structure and, with {@code --read-data}, every stored byte. Read only. */
@Command(name = "check", description = {"Check the repository: every image's tree and chunks, the packs and"
    + " indexes; with --read-data also every stored byte. Damage is named as image -> file (or image -> disk"
    + " byte range). Changes nothing. Exit 0 when clean, 1 when not."})
final class CheckCommand extends CliCommand {
  @Mixin RepoOptions repo;

  @Option(names = "--read-data", description = "Read and verify every stored byte too.")
  boolean readData;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  CheckCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    try (Repository r = repo.existing(this)) {
      Checker.Report c = r.check(readData);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", c.ok());
        m.put("images", c.images());
        m.put("packs", c.packs());
        m.put("chunks", c.chunks());
        m.put("bytesRead", c.bytesRead());
        m.put("errors", c.errors());
        m.put("notes", c.notes());
        cli.out().println(Json.of(m));
      } else {
        c.notes().forEach(n -> cli.out().println("note: " + n));
        c.errors().forEach(e -> cli.out().println("error: " + e));
        cli.out().printf("%s: %d images, %d packs, %d chunks%s: %s%n", r.backend().location(), c.images(), c.packs(),
            c.chunks(), readData ? ", " + Fmt.size(c.bytesRead()) + " read" : "",
            c.ok() ? "no errors" : c.errors().size() + " error(s), listed above");
      }
      return c.ok() ? ExitCode.OK : ExitCode.FAILED;
    }
  }
}
