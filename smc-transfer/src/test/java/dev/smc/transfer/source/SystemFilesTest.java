package dev.smc.transfer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's own files are read as the server sees them: symlinks followed inside its root, so an
 * absolute one (Debian's {@code /etc/os-release -> /usr/lib/os-release}, a {@code /bin/sh ->
 * /usr/bin/dash}) reads the server's file and never this machine's, {@code ..} stops at the root, and
 * a loop reads as missing.
 */
class SystemFilesTest {
  @TempDir
  Path root;

  @Test
  void absoluteAndClimbingSymlinksAreFollowedInsideTheServersRoot() throws Exception {
    Files.createDirectories(root.resolve("usr/lib"));
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("usr/lib/os-release"), "NAME=Other\nPRETTY_NAME=\"Server OS 9\"\n");
    Files.createSymbolicLink(root.resolve("etc/os-release"), Path.of("/usr/lib/os-release"));
    Files.writeString(root.resolve("srv-hostname"), "web-01\n");
    Files.createSymbolicLink(root.resolve("etc/hostname"), Path.of("../../../../../srv-hostname"));
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    Files.createSymbolicLink(root.resolve("usr/bin/sh"), Path.of("/usr/bin/dash"));
    byte[] elf = new byte[64];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little-endian
    elf[18] = (byte) 0xb7; // aarch64: not this machine's, so the answer is the server's file
    Files.write(root.resolve("usr/bin/dash"), elf);
    Files.createSymbolicLink(root.resolve("etc/fstab"), Path.of("fstab2"));
    Files.createSymbolicLink(root.resolve("etc/fstab2"), Path.of("/etc/fstab"));

    SystemFiles s = SystemFiles.read(root);
    assertEquals(Optional.of("Server OS 9"), s.osName());
    assertEquals(Optional.of("web-01"), s.hostname());
    assertEquals(Optional.of("aarch64"), s.architecture());
    assertEquals(List.of(), s.fstab(), "a loop reads as no fstab");
    assertEquals(Optional.of(root.resolve("usr/bin/dash")), SystemFiles.inRoot(root, "bin/sh"));
    assertEquals(Optional.empty(), SystemFiles.inRoot(root, "etc/fstab"));
    assertEquals(Optional.empty(), SystemFiles.file(root, "etc/missing"));
    assertTrue(SystemFiles.isLinuxRoot(root));
  }
}
