package dev.smc.example.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small server's files in a folder, archived with the system's tar (as an export would be). */
final class ServerArchive {
  private ServerArchive() {}

  /** The files of version {@code v} of the server in {@code dir}, archived into {@code tar}. */
  static void write(Path dir, Path tar, int v) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("etc"));
    Files.createDirectories(dir.resolve("var/www"));
    Files.writeString(dir.resolve("etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n");
    Files.writeString(dir.resolve("etc/hostname"), "web" + v + "\n");
    Path page = Files.writeString(dir.resolve("var/www/index.html"), "<h1>version " + v + "</h1>\n");
    Files.setLastModifiedTime(page, FileTime.from(Instant.parse("2025-01-0" + v + "T10:00:00Z")));
    Path secret = Files.writeString(dir.resolve("etc/secret"), "s" + v);
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Files.deleteIfExists(dir.resolve("var/www/current"));
    Files.createSymbolicLink(dir.resolve("var/www/current"), Path.of("index.html"));
    byte[] big = new byte[1 << 20];
    new java.util.SplittableRandom(42).nextBytes(big);
    big[v] ^= 1; // one byte changes a version
    Files.write(dir.resolve("var/www/big.bin"), big);
    Files.deleteIfExists(dir.resolve("var/www/big.link"));
    Files.createLink(dir.resolve("var/www/big.link"), dir.resolve("var/www/big.bin"));
    if (v == 2) {
      Files.delete(dir.resolve("etc/secret"));
    }
    Files.deleteIfExists(tar);
    Process p = new ProcessBuilder(List.of("tar", "-cpf", tar.toString(), "-C", dir.toString(), "."))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("tar failed: " + out);
    }
  }
}
