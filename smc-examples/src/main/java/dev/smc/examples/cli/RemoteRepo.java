package dev.smc.examples.cli;

import dev.smc.spi.Backend;
import dev.smc.transfer.remote.HttpsBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A repository on a receiver: {@code --repo https://HOST:PORT/REPO --token-file F [--pin sha256:HEX]
 * [--proxy HOST:PORT]}. Every command that takes {@code --repo} takes these too.
 */
final class RemoteRepo {
  private RemoteRepo() {}

  /** The options that come with {@code --repo}. */
  static final Set<String> OPTIONS = Set.of("token-file", "pin", "proxy");

  static boolean isRemote(String location) {
    return location.regionMatches(true, 0, "https://", 0, 8);
  }

  /** Opens the receiver's repository, or refuses remote options given with a local {@code --repo}. */
  static Optional<Backend> open(String location, Args a) throws IOException {
    if (!isRemote(location)) {
      for (String o : OPTIONS) {
        if (a.get(o) != null) {
          throw new UsageException(a.command() + ": --" + o + " applies to an https:// --repo only");
        }
      }
      return Optional.empty();
    }
    String tokenFile = a.required("token-file", "a file holding the task's token (its first line)");
    String token;
    try {
      token = Files.readAllLines(Path.of(tokenFile), StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).findFirst()
          .orElseThrow(() -> new UsageException("--token-file '" + tokenFile + "': empty; allowed a file whose first"
              + " line is the token"));
    } catch (NoSuchFileException e) {
      throw new UsageException("--token-file '" + tokenFile + "': no such file");
    }
    Optional<String> pin = Optional.ofNullable(a.get("pin"));
    HttpsBackend.Options o;
    try {
      o = HttpsBackend.Options.of(token, pin).withProxy(Optional.ofNullable(a.get("proxy")).map(RemoteRepo::proxy));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--pin: " + e.getMessage());
    }
    return Optional.of(HttpsBackend.open(location, o));
  }

  private static InetSocketAddress proxy(String v) {
    int colon = v.lastIndexOf(':');
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (colon > 0 && port > 0 && port < 65536) {
        return InetSocketAddress.createUnresolved(v.substring(0, colon), port);
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // reported below
    }
    throw new UsageException("--proxy '" + v + "': allowed HOST:PORT of an HTTP proxy that tunnels (CONNECT)");
  }
}
