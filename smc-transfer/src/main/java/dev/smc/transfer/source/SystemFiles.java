package dev.smc.transfer.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * What an installed system's root says of itself: {@code /etc/os-release}, {@code /etc/hostname}, the machine
 * its programs are built for (the ELF header of {@code /bin/sh}) and {@code /etc/fstab}. Immutable.
 *
 * @param osName {@code PRETTY_NAME} (else {@code NAME}) of os-release
 */
record SystemFiles(Optional<String> osName, Optional<String> hostname, Optional<String> architecture,
    List<FstabEntry> fstab) {
  /** One line of fstab. */
  record FstabEntry(String spec, String file, String type, String options) {}

  /** Whether {@code root} looks like a Linux system's root. */
  static boolean isLinuxRoot(Path root) {
    return file(root, "etc/os-release").isPresent() || file(root, "usr/lib/os-release").isPresent()
        || file(root, "etc/fstab").isPresent();
  }

  static SystemFiles read(Path root) throws IOException {
    Optional<Path> release = file(root, "etc/os-release").or(() -> file(root, "usr/lib/os-release"));
    Optional<String> os = release.isPresent()
        ? osName(Files.readAllLines(release.get(), StandardCharsets.UTF_8)) : Optional.empty();
    Optional<String> host = Optional.empty();
    Optional<Path> hn = file(root, "etc/hostname");
    if (hn.isPresent()) {
      host = Files.readAllLines(hn.get(), StandardCharsets.UTF_8).stream().map(String::strip)
          .filter(s -> !s.isEmpty() && !s.startsWith("#")).findFirst();
    }
    Optional<Path> fstab = file(root, "etc/fstab");
    List<FstabEntry> entries = fstab.isPresent() ? fstab(Files.readAllLines(fstab.get(), StandardCharsets.UTF_8))
        : List.of();
    return new SystemFiles(os, host, elfMachine(root), entries);
  }

  /** The regular file {@code rel} names inside {@code root} as the server sees it ({@link #inRoot}), if any. */
  static Optional<Path> file(Path root, String rel) {
    return inRoot(root, rel).filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * {@code rel} inside {@code root} with every symlink on the way followed as the server itself would
   * follow it, with {@code root} as its {@code /}: an absolute target starts again at {@code root}
   * (where following it here would read this machine's file), {@code ..} stops at {@code root}. Empty
   * when a part is missing or after 40 links (a loop).
   */
  static Optional<Path> inRoot(Path root, String rel) {
    Deque<String> todo = new ArrayDeque<>(List.of(rel.split("/")));
    List<String> done = new ArrayList<>();
    for (int links = 0; !todo.isEmpty(); ) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path p = resolved(root, done).resolve(part);
      try {
        if (Files.isSymbolicLink(p)) {
          if (++links > 40) {
            return Optional.empty();
          }
          String target = Files.readSymbolicLink(p).toString();
          if (target.startsWith("/")) {
            done.clear();
          }
          List<String> parts = List.of(target.split("/"));
          for (int i = parts.size() - 1; i >= 0; i--) {
            todo.addFirst(parts.get(i));
          }
          continue;
        }
      } catch (IOException e) {
        return Optional.empty();
      }
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      done.add(part);
    }
    return Optional.of(resolved(root, done));
  }

  private static Path resolved(Path root, List<String> parts) {
    Path p = root;
    for (String part : parts) {
      p = p.resolve(part);
    }
    return p;
  }

  static Optional<String> osName(List<String> osRelease) {
    String pretty = null;
    String name = null;
    for (String line : osRelease) {
      int eq = line.indexOf('=');
      if (eq < 0 || line.startsWith("#")) {
        continue;
      }
      String k = line.substring(0, eq).strip();
      String v = unquote(line.substring(eq + 1).strip());
      if (k.equals("PRETTY_NAME")) {
        pretty = v;
      } else if (k.equals("NAME")) {
        name = v;
      }
    }
    return Optional.ofNullable(pretty != null && !pretty.isEmpty() ? pretty : name).filter(s -> !s.isEmpty());
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
      return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return v;
  }

  /** fstab's lines: fields separated by blanks, {@code \040} for a space, comments and blank lines skipped. */
  static List<FstabEntry> fstab(List<String> lines) {
    List<FstabEntry> out = new ArrayList<>();
    for (String line : lines) {
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] f = s.split("\\s+");
      if (f.length < 3) {
        continue;
      }
      out.add(new FstabEntry(octal(f[0]), octal(f[1]), f[2], f.length > 3 ? f[3] : "defaults"));
    }
    return List.copyOf(out);
  }

  /** Undoes fstab's and mountinfo's octal escapes ({@code \040} space, {@code \011} tab, {@code \134} backslash). */
  static String octal(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The machine of {@code /bin/sh} (or bash), from its ELF header's {@code e_machine}. */
  static Optional<String> elfMachine(Path root) throws IOException {
    for (String f : List.of("usr/bin/sh", "bin/sh", "usr/bin/bash", "bin/bash")) {
      Optional<Path> program = file(root, f);
      if (program.isEmpty()) {
        continue;
      }
      byte[] h = new byte[20];
      try (InputStream in = Files.newInputStream(program.get())) {
        if (in.readNBytes(h, 0, 20) < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
          continue;
        }
      }
      boolean little = h[5] == 1;
      int machine = little ? (h[18] & 0xff) | (h[19] & 0xff) << 8 : (h[19] & 0xff) | (h[18] & 0xff) << 8;
      boolean wide = h[4] == 2;
      return Optional.of(switch (machine) {
        case 0x3e -> "x86_64";
        case 0x03 -> "i386";
        case 0xb7 -> "aarch64";
        case 0x28 -> "arm";
        case 0xf3 -> wide ? "riscv64" : "riscv32";
        case 0x15 -> little ? "ppc64le" : "ppc64";
        case 0x16 -> "s390x";
        default -> "elf-machine-" + machine;
      });
    }
    return Optional.empty();
  }
}
