package dev.smc.transfer.remote;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code smc receiver}: runs a {@link Receiver} until SIGTERM or SIGINT, then stops gracefully.
 *
 * <pre>
 * --root DIR          repositories are DIR/REPO (required)
 * --listen HOST:PORT  where to listen (required; port 0 picks a free one)
 * --cert-dir DIR      key, certificate and fingerprint; made on first start (required)
 * --tokens FILE       one "REPO TOKEN" line an allowed task (required)
 * --max-body-mib N    largest upload, 1-1024 MiB (default 64)
 * --max-connections N agents' connections at once, 1-4096 (default 64; one thread each); connections
 *                     not authenticated yet have caps of their own (64 per address, 1024 in all, 10 s
 *                     to deliver a first request: {@link ConnectionLimits#DEFAULTS})
 * --unix-socket PATH  listen on this Unix socket too, for agents of this user on this machine: plain
 *                     HTTP (no network carries the bytes), packs checked as a whole rather than chunk by
 *                     chunk (such an agent could write the repository's files itself); at most 107 bytes
 * --ready-file F      once listening, writes "PORT FINGERPRINT" to F (atomically)
 * </pre>
 * Prints {@code listening https://HOST:PORT fingerprint sha256:HEX} once it serves.
 */
public final class ReceiverMain {
  private ReceiverMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs until the JVM is asked to stop; returns 2 for bad arguments, 1 when it cannot start. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Receiver.Config config;
    Path ready = null;
    try {
      String root = null;
      String listen = null;
      String certs = null;
      String tokens = null;
      int maxBodyMib = Receiver.Config.DEFAULT_MAX_BODY >> 20;
      int maxConnections = 64;
      Path unix = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          out.println(usage());
          return 0;
        }
        if (i + 1 >= args.length || !a.startsWith("--")) {
          throw new IllegalArgumentException(a.startsWith("--") ? "option " + a + " needs a value"
              : "unexpected argument '" + a + "'");
        }
        String v = args[++i];
        switch (a) {
          case "--root" -> root = v;
          case "--listen" -> listen = v;
          case "--cert-dir" -> certs = v;
          case "--tokens" -> tokens = v;
          case "--max-body-mib" -> maxBodyMib = intOption(a, v, 1, 1024);
          case "--max-connections" -> maxConnections = intOption(a, v, 1, 4096);
          case "--ready-file" -> ready = Path.of(v);
          case "--unix-socket" -> unix = unixSocket(v);
          default -> throw new IllegalArgumentException("unknown option " + a + "; allowed --root --listen"
              + " --cert-dir --tokens --max-body-mib --max-connections --unix-socket --ready-file");
        }
      }
      for (String[] req : new String[][] {{"--root", root}, {"--listen", listen}, {"--cert-dir", certs},
          {"--tokens", tokens}}) {
        if (req[1] == null) {
          throw new IllegalArgumentException("option " + req[0] + " is required");
        }
      }
      long maxBody = (long) maxBodyMib << 20;
      config = Receiver.Config.of(Path.of(root), listenAddress(listen), Path.of(certs), Path.of(tokens))
          .withMaxBodyBytes((int) Math.min(maxBody, Integer.MAX_VALUE - 4096))
          .withLimits(ConnectionLimits.DEFAULTS.withAuthenticated(maxConnections))
          .withUnixSocket(java.util.Optional.ofNullable(unix));
    } catch (IllegalArgumentException e) {
      err.println("smc receiver: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    Receiver r;
    try {
      r = Receiver.start(config);
    } catch (IOException e) {
      err.println("smc receiver: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      r.close(Duration.ofSeconds(20)); // SIGTERM: finish the requests running, then exit 0
      stopped.countDown();
      Runtime.getRuntime().halt(0);
    }, "smc-receiver-stop"));
    out.println("listening https://" + config.listen().getHostString() + ":" + r.port() + " fingerprint "
        + r.fingerprint() + config.unixSocket().map(u -> " unix " + u).orElse(""));
    out.flush();
    if (ready != null) {
      try {
        Certificates.writeAtomically(ready, r.port() + " " + r.fingerprint() + "\n", false);
      } catch (IOException e) {
        err.println("smc receiver: cannot write the ready file " + ready + ": " + e.getMessage());
        r.close(Duration.ZERO);
        return 1;
      }
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static InetSocketAddress listenAddress(String v) {
    int colon = v.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--listen '" + v + "': allowed HOST:PORT, e.g. 0.0.0.0:8443");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = intOption("--listen port", v.substring(colon + 1), 0, 65535);
    return new InetSocketAddress(host, port);
  }

  private static Path unixSocket(String v) {
    Path p = Path.of(v).toAbsolutePath();
    if (!Receiver.Config.fitsUnixSocket(p)) {
      throw new IllegalArgumentException("--unix-socket '" + v + "': allowed a path of at most "
          + UnixListener.MAX_PATH_BYTES + " bytes (the kernel's limit for a socket)");
    }
    return p;
  }

  private static int intOption(String name, String v, int min, int max) {
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " '" + v + "': allowed " + min + "-" + max);
  }

  static String usage() {
    return "usage: smc receiver --root DIR --listen HOST:PORT --cert-dir DIR --tokens FILE"
        + " [--max-body-mib N] [--max-connections N] [--unix-socket PATH] [--ready-file F]";
  }
}
