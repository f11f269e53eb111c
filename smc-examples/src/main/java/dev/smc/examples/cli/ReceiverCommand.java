package dev.smc.examples.cli;

import dev.smc.transfer.remote.ReceiverMain;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smc receiver}: the transit instance's server, run by {@link ReceiverMain} with these options. */
@Command(name = "receiver", description = {"Run the transit instance: serve the repositories ROOT/REPO over"
    + " HTTPS until SIGTERM or Ctrl-C, then exit 0; prints \"listening https://HOST:PORT fingerprint"
    + " sha256:HEX\".", "The first start makes a key and a self-signed certificate in CERTS (its fingerprint"
    + " in CERTS/fingerprint, for --pin)."})
final class ReceiverCommand extends CliCommand {
  @Option(names = "--root", paramLabel = "ROOT", description = "The folder whose subfolders are the repositories.")
  @Nullable String root;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen, e.g. 0.0.0.0:8443.")
  @Nullable String listen;

  @Option(names = "--cert-dir", paramLabel = "CERTS", description = "The key and certificate (made when missing).")
  @Nullable String certDir;

  @Option(names = "--tokens", paramLabel = "FILE", description = "One \"REPO TOKEN\" line per task (token: 22+"
      + " printable characters, e.g. openssl rand -hex 16); looked at on every request, read again when it changed.")
  @Nullable String tokens;

  @Option(names = "--max-body-mib", paramLabel = "1-1024", description = "The largest upload, MiB.")
  @Nullable String maxBodyMib;

  @Option(names = "--max-connections", paramLabel = "1-4096", description = "Authenticated connections at once.")
  @Nullable String maxConnections;

  @Option(names = "--unix-socket", paramLabel = "PATH", description = "Listen on this Unix socket too, for agents of"
      + " this user on this machine (--repo http+unix://SOCKET/REPO, each / of the path as %%2F): plain HTTP, packs"
      + " checked whole rather than chunk by chunk, since such an agent could write ROOT itself. Keep its folder"
      + " private; at most 107 bytes.")
  @Nullable String unixSocket;

  @Option(names = "--ready-file", paramLabel = "F", description = "Write \"PORT FINGERPRINT\" here once serving.")
  @Nullable String readyFile;

  ReceiverCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() {
    List<String> args = new ArrayList<>();
    add(args, "--root", root);
    add(args, "--listen", listen);
    add(args, "--cert-dir", certDir);
    add(args, "--tokens", tokens);
    add(args, "--max-body-mib", maxBodyMib);
    add(args, "--max-connections", maxConnections);
    add(args, "--unix-socket", unixSocket);
    add(args, "--ready-file", readyFile);
    return ReceiverMain.run(args.toArray(new String[0]), cli.out(), cli.err());
  }

  private static void add(List<String> args, String option, @Nullable String value) {
    if (value != null) {
      args.add(option);
      args.add(value);
    }
  }
}
