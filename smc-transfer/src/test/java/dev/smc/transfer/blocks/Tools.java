package dev.smc.transfer.blocks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Runs the real disk tools (sgdisk, sfdisk, mke2fs, debugfs, e2fsck) for the block tests. */
final class Tools {
  private Tools() {}

  /** Runs {@code cmd} with /usr/sbin on the path; returns its output, fails the test if it exits non-zero. */
  static String run(String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
