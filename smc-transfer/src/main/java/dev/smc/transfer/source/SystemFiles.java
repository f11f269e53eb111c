package dev.smc.transfer.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    return Files.isRegularFile(root.resolve("etc/os-release")) || Files.isRegularFile(root.resolve("usr/lib/os-release"))
        || Files.isRegularFile(root.resolve("etc/fstab"));
  }

  static SystemFiles read(Path root) throws IOException {
    Optional<String> os = Optional.empty();
    for (String f : List.of("etc/os-release", "usr/lib/os-release")) {
      Path p = root.resolve(f);
      if (Files.isRegularFile(p)) {
        os = osName(Files.readAllLines(p, StandardCharsets.UTF_8));
        break;
      }
    }
    Optional<String> host = Optional.empty();
    Path hn = root.resolve("etc/hostname");
    if (Files.isRegularFile(hn)) {
      host = Files.readAllLines(hn, StandardCharsets.UTF_8).stream().map(String::strip)
          .filter(s -> !s.isEmpty() && !s.startsWith("#")).findFirst();
    }
    Path fstab = root.resolve("etc/fstab");
    List<FstabEntry> entries = Files.isRegularFile(fstab)
        ? fstab(Files.readAllLines(fstab, StandardCharsets.UTF_8)) : List.of();
    return new SystemFiles(os, host, elfMachine(root), entries);
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

  /** The machine of {@code /bin/sh} (or {@code /usr/bin/sh}), from its ELF header's {@code e_machine}. */
  static Optional<String> elfMachine(Path root) throws IOException {
    for (String f : List.of("usr/bin/sh", "bin/sh", "usr/bin/bash", "bin/bash")) {
      Path p = root.resolve(f);
      Path real;
      try {
        real = p.toRealPath();
      } catch (IOException e) {
        continue;
      }
      if (!real.startsWith(root.toRealPath()) || !Files.isRegularFile(real)) {
        // an absolute symlink points into this machine, not the server: resolve it inside the root
        if (Files.isSymbolicLink(p)) {
          Path target = Files.readSymbolicLink(p);
          real = target.isAbsolute() ? root.resolve(target.toString().substring(1)) : p.resolveSibling(target);
          if (!Files.isRegularFile(real)) {
            continue;
          }
        } else {
          continue;
        }
      }
      byte[] h = new byte[20];
      try (InputStream in = Files.newInputStream(real)) {
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
