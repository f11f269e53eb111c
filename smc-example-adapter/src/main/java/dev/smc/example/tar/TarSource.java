package dev.smc.example.tar;

import dev.smc.IntegrityException;
import dev.smc.spi.MigrationSource;
import dev.smc.spi.SourceDescription;
import dev.smc.spi.SourceSnapshot;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A server exported as a tar archive (what {@code tar -cpf server.tar -C / .} or a cloud's export makes) as a
 * migration source: its files do not live on this machine, so each {@link #open()} unpacks the archive, as it is
 * at that moment, into a private folder (content, mode, owner when run as root, modification time, symlinks, hard
 * links) that the cycle copies; closing the snapshot removes the folder. Entries that would land outside it
 * ({@code ..}, absolute names, links pointing out) make the archive unusable. Thread-safe.
 */
public final class TarSource implements MigrationSource {
  private final Path archive;

  public TarSource(Path archive) {
    this.archive = archive.toAbsolutePath().normalize();
  }

  @Override
  public String id() {
    return "tar:" + archive;
  }

  /** No disks (a folder's worth of files); the OS and host name from the archive's etc, when it has them. */
  @Override
  public SourceDescription describe() throws IOException {
    Optional<String> os = Optional.empty();
    Optional<String> host = Optional.empty();
    try (TarArchiveInputStream in = open(archive)) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        String name = normalize(e.getName());
        if (name.equals("etc/os-release") && e.isFile()) {
          os = prettyName(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } else if (name.equals("etc/hostname") && e.isFile()) {
          host = Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).filter(h -> !h.isEmpty());
        }
      }
    }
    return new SourceDescription(os.isPresent() ? SourceDescription.OsType.LINUX : SourceDescription.OsType.OTHER,
        os, Optional.empty(), host.orElse(archive.getFileName().toString()), List.of(), List.of(), List.of());
  }

  @Override
  public SourceSnapshot open() throws IOException {
    Path root = Files.createTempDirectory("smc-tar-");
    try {
      unpack(root);
    } catch (IOException | RuntimeException e) {
      delete(root);
      throw e;
    }
    byte[] bytes = root.toString().getBytes(StandardCharsets.UTF_8);
    return new SourceSnapshot() {
      private boolean closed;

      @Override
      public byte[] root() {
        return bytes.clone();
      }

      @Override
      public synchronized void close() throws IOException {
        if (!closed) {
          closed = true;
          delete(root);
        }
      }
    };
  }

  private void unpack(Path root) throws IOException {
    boolean root0 = "root".equals(System.getProperty("user.name"));
    List<Object[]> dirTimes = new ArrayList<>();
    try (TarArchiveInputStream in = open(archive)) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        String name = normalize(e.getName());
        Path p = name.isEmpty() ? root : root.resolve(name);
        if (!p.normalize().startsWith(root)) {
          throw new IntegrityException("archive " + archive + ": entry " + e.getName() + " lands outside the server");
        }
        if (p.getParent() != null && !name.isEmpty()) {
          Files.createDirectories(p.getParent());
        }
        if (e.isDirectory()) {
          if (!name.isEmpty()) {
            Files.createDirectories(p);
          }
          dirTimes.add(new Object[] {p, e});
        } else if (e.isSymbolicLink()) {
          Files.createSymbolicLink(p, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
          Path target = root.resolve(normalize(e.getLinkName()));
          if (!target.normalize().startsWith(root)) {
            throw new IntegrityException("archive " + archive + ": hard link " + e.getName() + " points outside");
          }
          Files.createLink(p, target);
          continue; // a hard link shares its target's attributes
        } else if (e.isFile()) {
          Files.copy(in, p);
        } else {
          continue; // devices and FIFOs are not copied by this example
        }
        attributes(p, e, root0);
      }
    }
    dirTimes.sort(Comparator.comparingInt((Object[] d) -> ((Path) d[0]).getNameCount()).reversed());
    for (Object[] d : dirTimes) {
      attributes((Path) d[0], (TarArchiveEntry) d[1], root0); // deepest first, after their content
    }
  }

  private static void attributes(Path p, TarArchiveEntry e, boolean asRoot) throws IOException {
    if (asRoot) {
      Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }
    if (!e.isSymbolicLink()) {
      Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
      Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
    }
  }

  private static TarArchiveInputStream open(Path archive) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
    return new TarArchiveInputStream(in);
  }

  /** {@code ./etc/x/} as {@code etc/x}; {@code ./} as the empty name (the root). */
  private static String normalize(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.equals(".")) {
      n = "";
    }
    if (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.startsWith("/") || List.of(n.split("/")).contains("..")) {
      return "../" + n; // caught as outside by the caller
    }
    return n;
  }

  private static Optional<String> prettyName(String osRelease) {
    for (String line : osRelease.split("\n")) {
      if (line.startsWith("PRETTY_NAME=")) {
        return Optional.of(line.substring(12).replaceAll("^\"|\"$", "")).filter(s -> !s.isEmpty());
      }
    }
    return Optional.empty();
  }

  private static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
