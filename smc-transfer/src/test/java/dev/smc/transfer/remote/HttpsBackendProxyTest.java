package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.CycleReport;
import dev.smc.TransferOptions;
import dev.smc.testkit.ConnectProxy;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent behind an HTTP proxy reaches its receiver through a CONNECT tunnel, or says why not. */
class HttpsBackendProxyTest {
  private static final String TOKEN = "proxy-token-0123456789abcdef";

  @TempDir
  Path tmp;

  @Test
  void aCycleThroughAConnectProxyRestoresExactlyThroughItToo() throws Exception {
    Path src = CycleChecks.smallTree(tmp.resolve("src"), 17);
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", TOKEN);
        ConnectProxy proxy = ConnectProxy.start()) {
      HttpsBackend.Options viaProxy = receiver.options(TOKEN).withProxy(Optional.of(proxy.address()));
      CycleReport report;
      try (Repository repo = CycleChecks.repository(HttpsBackend.open(receiver.endpoint("r1"), viaProxy))) {
        report = CycleChecks.cycle(repo, src, "proxied", TransferOptions.DEFAULTS);
      }
      CycleChecks.assertRestoresAndChecksClean(HttpsBackend.open(receiver.endpoint("r1"), viaProxy),
          receiver.folder("r1"), Map.of(report.image(), src), tmp.resolve("restored"));
      String connect = "CONNECT 127.0.0.1:" + receiver.receiver.port() + " HTTP/1.1";
      assertTrue(proxy.tunnels() >= 2, "tunnels: " + proxy.tunnels());
      assertEquals(List.of(connect), proxy.requests().stream().distinct().toList(), "what the proxy was asked");
    }
  }

  @Test
  void aTunnelTheProxyRefusesFailsAtOnceNamingTheProxyTheTargetAndItsAnswer() throws Exception {
    try (TestReceiver receiver = new TestReceiver(tmp.resolve("receiver"), "r1", TOKEN);
        ConnectProxy proxy = ConnectProxy.start()) {
      proxy.refuseTunnels(true);
      HttpsBackend.Options viaProxy = receiver.options(TOKEN).withProxy(Optional.of(proxy.address()));
      IOException e = assertThrows(IOException.class, () -> HttpsBackend.open(receiver.endpoint("r1"), viaProxy));
      String target = "127.0.0.1:" + receiver.receiver.port();
      assertTrue(e.getMessage().contains("proxy " + proxy.address()) && e.getMessage().contains(
          "refused the tunnel to " + target + ": HTTP/1.1 403 Forbidden"), e.getMessage());
      assertEquals(1, proxy.requests().size(), "a refused tunnel is not asked for again: " + proxy.requests());
      assertEquals(0, proxy.tunnels());
    }
  }
}
