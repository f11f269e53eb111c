package dev.smc.transfer.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Which process holds a lock (or wrote a temporary file), so that what a process left when it died
 * on this host can be removed at once. A host is identified by its kernel's boot id and the process-id namespace (two containers
 * of one kernel see different processes under one pid), so a pid is only judged where it means the
 * same process. Where that cannot be read, locks are judged by their age alone. Thread-safe.
 */
public final class HostIdentity {
  private static final HostIdentity SELF = new HostIdentity();

  public final String hostName;
  /** Boot id and pid namespace, or null where they cannot be read (not Linux). */
  @Nullable public final String pidSpace;
  public final long pid;
  /** When this process started, in milliseconds; guards against a reused pid. */
  public final long startedMs;

  private HostIdentity() {
    this.hostName = hostName();
    this.pidSpace = pidSpace();
    ProcessHandle self = ProcessHandle.current();
    this.pid = self.pid();
    this.startedMs = startOf(self).map(Instant::toEpochMilli).orElse(-1L);
  }

  public static HostIdentity self() {
    return SELF;
  }

  /**
   * Whether the process {@code pid} that started at {@code startedMs} in pid space {@code space}
   * is certainly gone: only answerable for this host's own pid space.
   */
  public boolean isDead(@Nullable String space, long pid, long startedMs) {
    if (pidSpace == null || space == null || !pidSpace.equals(space) || pid <= 0) {
      return false;
    }
    if (pid == this.pid) {
      return startedMs > 0 && this.startedMs > 0 && Math.abs(startedMs - this.startedMs) > 1000;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    if (p.isEmpty() || !p.get().isAlive()) {
      return true;
    }
    // the pid is taken: by the same process only if it started when the lock says
    Optional<Instant> start = startOf(p.get());
    return startedMs > 0 && start.isPresent() && Math.abs(start.get().toEpochMilli() - startedMs) > 1000;
  }

  private static Optional<Instant> startOf(ProcessHandle p) {
    try {
      return p.info().startInstant();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Nullable
  private static String pidSpace() {
    try {
      String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
      String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      String digits = ns.replaceAll("[^0-9]", "");
      if (boot.isEmpty() || digits.isEmpty() || !boot.matches("[0-9a-f-]{8,64}")) {
        return null;
      }
      return boot + "/" + digits;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String hostName() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      name = ManagementFactory.getRuntimeMXBean().getName();
    }
    // one line of printable text: it goes into a key=value file
    return name.replaceAll("[^\\x21-\\x7e]", "?");
  }
}
