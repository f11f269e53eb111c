package dev.smc.scheduler.internal;

import dev.smc.transfer.remote.Receiver;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A receiver ({@value #MAIN}) of a folder holding its access list ({@value #TOKENS}) and
 * certificate ({@value #CERTS}), as a child process of this JVM: started with this JVM's class
 * path, listening on loopback on a port it picks, its output appended to {@value #LOG} in the
 * folder ({@link SharedReceiver} keeps the one that serves all transits of a provider). A process is
 * taken for that folder's receiver only when its command line says so (main class and that
 * folder's tokens file): pids get reused, so a pid alone never gets a signal. Stateless; thread-safe.
 *
 * <p>The class path goes to the child in {@code CLASSPATH} rather than {@code -cp}: the kernel
 * shows a process's command line only up to a page, and a long class path would push the part
 * that identifies the transit out of sight.
 */
public final class ReceiverProcess {
  public static final String MAIN = "dev.smc.transfer.remote.ReceiverMain";
  /** The access list, {@code REPO TOKEN}: a credential, mode 0600. */
  public static final String TOKENS = "tokens";
  /** The receiver's key (a credential), certificate and fingerprint. */
  public static final String CERTS = "certs";
  public static final String READY = "ready";
  public static final String LOG = "receiver.log";
  /** The Unix socket in the folder, for agents on this machine (when the folder's path is short enough). */
  public static final String SOCKET = "receiver.sock";
  private static final int TAIL_BYTES = 2048;

  private ReceiverProcess() {}

  /**
   * A receiver that serves: its process id, port, certificate fingerprint ({@code sha256:HEX}) and
   * the Unix socket it listens on too, if any.
   */
  public record Serving(long pid, int port, String fingerprint, Optional<Path> unixSocket) {}

  /**
   * Starts the receiver of {@code transit} (which holds {@value #TOKENS}) serving the repositories
   * under {@code root}, and waits until it serves, at most {@code readyTimeout}. It listens on
   * loopback and on the Unix socket {@value #SOCKET} in the folder, unless that path is longer than
   * a socket's may be. A receiver that exits first or does not serve in time is killed; the error
   * then quotes the end of its log.
   */
  public static Serving start(Path transit, Path root, List<String> jvmOptions, Duration readyTimeout)
      throws IOException {
    Path ready = transit.resolve(READY);
    Path log = transit.resolve(LOG);
    Files.deleteIfExists(ready);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC"); // a few threads and a small heap
    cmd.addAll(jvmOptions);
    cmd.add(MAIN);
    cmd.addAll(List.of("--root", root.toString(), "--listen", "127.0.0.1:0", "--cert-dir",
        transit.resolve(CERTS).toString(), "--tokens", transit.resolve(TOKENS).toString(), "--ready-file",
        ready.toString()));
    Path socket = transit.toAbsolutePath().resolve(SOCKET);
    Optional<Path> unix = Receiver.Config.fitsUnixSocket(socket) ? Optional.of(socket) : Optional.empty();
    unix.ifPresent(u -> cmd.addAll(List.of("--unix-socket", u.toString())));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(transit.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("CLASSPATH", classPath());
    Process p = pb.start();
    try {
      // an interrupt (a scheduler shutting down) stops the wait; the child is killed below
      p.getOutputStream().close(); // it reads nothing; no pipe to this JVM is left open
      long deadline = System.nanoTime() + readyTimeout.toNanos();
      while (!Files.exists(ready)) {
        if (p.waitFor(20, TimeUnit.MILLISECONDS)) {
          throw new IOException("the receiver of " + transit + " exited with code " + p.exitValue()
              + " before it served" + tail(log));
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("the receiver of " + transit + " did not serve within " + readyTimeout.toSeconds()
              + " s" + tail(log));
        }
      }
      String[] f = Files.readString(ready, StandardCharsets.US_ASCII).trim().split(" ");
      if (f.length != 2 || !f[0].matches("[0-9]{1,5}") || !f[1].startsWith("sha256:")) {
        throw new IOException("the receiver of " + transit + " wrote '" + String.join(" ", f) + "' to " + ready
            + "; expected 'PORT sha256:HEX'");
      }
      return new Serving(p.pid(), Integer.parseInt(f[0]), f[1], unix);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the receiver of " + transit + " was starting");
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** Whether {@code h} is the receiver of {@code transit}, as its command line shows. */
  public static boolean isReceiverOf(ProcessHandle h, Path transit) {
    ProcessHandle.Info info = h.info();
    String tokens = transit.resolve(TOKENS).toString();
    Optional<String[]> args = info.arguments();
    if (args.isPresent()) {
      List<String> a = List.of(args.get());
      int i = a.indexOf("--tokens");
      return a.contains(MAIN) && i >= 0 && i + 1 < a.size() && a.get(i + 1).equals(tokens);
    }
    return info.commandLine().map(c -> c.contains(" " + MAIN + " ") && c.contains(" --tokens " + tokens + " "))
        .orElse(false);
  }

  /** Every live receiver of {@code transit} (normally one at most), found by command line. */
  public static List<ProcessHandle> find(Path transit) {
    long self = ProcessHandle.current().pid();
    try (var all = ProcessHandle.allProcesses()) {
      return all.filter(h -> h.pid() != self && isReceiverOf(h, transit)).toList();
    }
  }

  /**
   * Stops a receiver: SIGTERM (it finishes the requests in flight), then after {@code grace}
   * SIGKILL. Fails when it still runs after that.
   */
  public static void stop(ProcessHandle h, Duration grace) throws IOException {
    h.destroy();
    if (awaitExit(h, grace)) {
      return;
    }
    h.destroyForcibly();
    if (!awaitExit(h, Duration.ofSeconds(5))) {
      throw new IOException("receiver pid " + h.pid() + " still runs after SIGTERM, " + grace.toSeconds()
          + " s and SIGKILL");
    }
  }

  /** Waits for {@code h} to exit; an interrupt does not cut a stop short (it is kept for the caller). */
  private static boolean awaitExit(ProcessHandle h, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException | ExecutionException e) {
          return !h.isAlive();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** This JVM's class path with every entry absolute: the child runs in the transit folder. */
  static String classPath() {
    List<String> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        out.add(Path.of(e).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** The end of a receiver's log, to quote in an error. */
  static String tail(Path log) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, f.length() - TAIL_BYTES);
      byte[] b = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(b);
      String text = new String(b, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "; its log " + log + " is empty" : "; its log " + log + " ends:\n" + text;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return "; it wrote no log";
    } catch (IOException e) {
      return "; its log " + log + " cannot be read: " + e.getMessage();
    }
  }
}
