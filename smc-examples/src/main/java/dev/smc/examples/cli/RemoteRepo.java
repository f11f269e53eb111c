package dev.smc.examples.cli;

import dev.smc.ErrorCode;
import dev.smc.InvalidSpecException;
import dev.smc.SmcException;
import dev.smc.spi.Backend;
import dev.smc.transfer.remote.HttpsBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A repository on a receiver: {@code --repo https://HOST:PORT/REPO --token-file F [--pin sha256:HEX]
 * [--proxy HOST:PORT]}, or on its Unix socket on this machine: {@code --repo http+unix://SOCKET/REPO
 * --token-file F}. Every command that takes {@code --repo} takes these too.
 */
final class RemoteRepo {
  private RemoteRepo() {}

  static boolean isRemote(String location) {
    return location.regionMatches(true, 0, "https://", 0, 8) || HttpsBackend.isUnixEndpoint(location);
  }

  /**
   * Opens the receiver's repository, or refuses remote options given with a local {@code --repo}. Bad
   * options are {@link UsageException}s (exit 2); a receiver that cannot be reached or refuses fails
   * with a message that says what to check (exit 1).
   */
  static Optional<Backend> open(CliCommand c, String location, RepoOptions a) throws IOException {
    String cmd = c.name();
    if (!isRemote(location)) {
      refuseRemoteOptions(c, location, a);
      return Optional.empty();
    }
    String tokenFile = a.tokenFile != null ? a.tokenFile : c.cli.env("SMC_TOKEN_FILE");
    if (tokenFile == null) {
      throw c.usage("--token-file is required (or set SMC_TOKEN_FILE) for a receiver's --repo: a file whose first"
          + " line is the task's token, as in the receiver's tokens file");
    }
    String token = token(cmd, tokenFile);
    boolean unix = HttpsBackend.isUnixEndpoint(location);
    if (unix && (a.pin != null || a.proxy != null)) {
      throw c.usage((a.pin != null ? "--pin" : "--proxy") + " applies to an https:// --repo only (an "
          + HttpsBackend.UNIX_SCHEME + ":// --repo is a socket on this machine: no TLS, no proxy)");
    }
    Optional<String> pin = unix ? Optional.empty()
        : Optional.ofNullable(a.pin != null ? a.pin : c.cli.env("SMC_PIN"));
    Optional<InetSocketAddress> proxy = unix ? Optional.empty()
        : Optional.ofNullable(a.proxy != null ? a.proxy : c.cli.env("SMC_PROXY")).map(v -> proxy(cmd, v));
    HttpsBackend.Options o;
    try {
      o = HttpsBackend.Options.of(token, pin).withProxy(proxy);
    } catch (IllegalArgumentException e) {
      throw new UsageException(cmd + ": --pin '" + pin.orElse("") + "': allowed sha256:HEX (64 hex digits), as the"
          + " receiver's CERTS/fingerprint file gives it");
    } catch (InvalidSpecException e) {
      throw new UsageException(cmd + ": --token-file '" + tokenFile + "': the token must be printable"
          + " ASCII without spaces, as the receiver's tokens file has it");
    }
    try {
      return Optional.of(HttpsBackend.open(location, o));
    } catch (SmcException e) {
      if (e.code() == ErrorCode.UNAUTHORIZED && e.getMessage().contains("refused")) {
        throw new SmcException(e.code(), e.getMessage() + "; check --token-file: the receiver's tokens file"
            + " needs a line 'REPO TOKEN' with this token for this repository", e);
      }
      throw e;
    } catch (IOException e) {
      if (unreachable(e)) {
        throw new IOException(e.getMessage() + (unix
            ? "; check that smc receiver runs with --unix-socket at the SOCKET of --repo"
            : "; check that smc receiver runs at the HOST:PORT of --repo"
            + proxy.map(p -> ", that the proxy " + p.getHostString() + ":" + p.getPort() + " is up").orElse("")
            + " and that no firewall is in the way"), e);
      }
      throw e;
    }
  }

  /**
   * Refuses {@code --token-file}, {@code --pin} and {@code --proxy} given with a {@code location} that
   * is not https:// (their environment variables are ignored there).
   */
  static void refuseRemoteOptions(CliCommand c, String location, RepoOptions a) {
    if (isRemote(location)) {
      return;
    }
    String given = a.tokenFile != null ? "--token-file" : a.pin != null ? "--pin" : a.proxy != null ? "--proxy" : null;
    if (given != null) {
      throw c.usage(given + " applies to an https:// --repo only (--repo '" + location + "' is local)");
    }
  }

  private static String token(String cmd, String tokenFile) {
    try {
      return Files.readAllLines(Path.of(tokenFile), StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).findFirst()
          .orElseThrow(() -> new UsageException(cmd + ": --token-file '" + tokenFile + "': empty; allowed a file"
              + " whose first line is the task's token"));
    } catch (NoSuchFileException e) {
      throw new UsageException(cmd + ": --token-file '" + tokenFile + "': no such file; allowed a file whose first"
          + " line is the task's token");
    } catch (IOException e) {
      throw new UsageException(cmd + ": --token-file '" + tokenFile + "': cannot be read (" + Cli.describe(e) + ")");
    }
  }

  /** A connection that could not be made at all (as opposed to one the receiver refused). */
  private static boolean unreachable(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException
          || t instanceof java.net.UnknownHostException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static InetSocketAddress proxy(String cmd, String v) {
    int colon = v.lastIndexOf(':');
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (colon > 0 && port > 0 && port < 65536) {
        return InetSocketAddress.createUnresolved(v.substring(0, colon), port);
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // reported below
    }
    throw new UsageException(cmd + ": --proxy '" + v + "': allowed HOST:PORT (port 1-65535) of an HTTP proxy that"
        + " tunnels (CONNECT)");
  }
}
