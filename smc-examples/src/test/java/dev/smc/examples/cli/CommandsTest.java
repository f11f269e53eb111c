package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree is built for what the arguments name: one command, or all where a name is unknown. */
class CommandsTest {
  private final PrintStream sink = new PrintStream(new ByteArrayOutputStream());
  private final Cli cli = new Cli(sink, sink, Map.of(), Clock.systemUTC());

  private Set<String> top(List<String> args) {
    return Commands.tree(cli, args).getSubcommands().keySet();
  }

  private Set<String> task(List<String> args) {
    return Commands.tree(cli, args).getSubcommands().get("task").getSubcommands().keySet();
  }

  @Test
  void aNamedCommandIsBuiltAlone() {
    assertEquals(Set.of("images"), top(List.of("images", "--repo", "/srv/repo")));
    assertEquals(Set.of("task"), top(List.of("task", "create", "--help")));
    assertEquals(Set.of("create"), task(List.of("task", "create", "--help")));
  }

  @Test
  void anUnknownNameOrNoneGetsTheWholeTreeForHelpAndSuggestions() {
    Set<String> all = top(List.of());
    assertTrue(all.containsAll(List.of("migrate", "restore", "task", "serve", "completion", "help")), all.toString());
    assertEquals(all, top(List.of("migrat")));
    assertEquals(all, top(List.of("--version")));
    assertEquals(all, top(List.of("completion")), "completion lists every command");
    assertEquals(14, task(List.of("task", "creat")).size());
    assertEquals(14, task(List.of("task")).size());
    CommandLine whole = Commands.tree(cli);
    assertEquals(all, whole.getSubcommands().keySet());
  }
}
