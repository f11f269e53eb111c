package dev.smc.transfer.remote;

import dev.smc.TransferOptions;
import dev.smc.transfer.repo.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An agent in a process of its own, for {@link AgentKillTest} to kill: one full cycle of a tree to
 * a receiver, paced so that it takes a few seconds.
 *
 * <p>Arguments: {@code ENDPOINT TOKEN PIN SOURCE KBPS} (the endpoint {@code https://HOST:PORT/REPO}).
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: AgentMain ENDPOINT TOKEN PIN SOURCE KBPS");
      System.exit(2);
    }
    HttpsBackend.Options o = HttpsBackend.Options.of(args[1], Optional.of(args[2]))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20));
    TransferOptions paced = TransferOptions.builder().bandwidthLimitKBps(Long.parseLong(args[4])).build();
    try (Repository repo = CycleChecks.repository(HttpsBackend.open(args[0], o))) {
      System.out.println("cycle started");
      System.out.println(CycleChecks.cycle(repo, Path.of(args[3]), "killed", paced));
    }
    System.exit(0);
  }
}
