package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** One run of the smc command line, in-process, for tests: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
  List<String> errLines() {
    return err.lines().toList();
  }

  /** Runs {@code smc ARGS}; a run that does not end in two minutes fails the test (a hang). */
  static CliRun smc(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = assertTimeoutPreemptively(Duration.ofMinutes(2), () -> new Main(o, e).run(args),
          "smc " + String.join(" ", args) + " hung");
    }
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code smc ARGS} and fails the test unless it exits 0. */
  static CliRun ok(String... args) {
    CliRun r = smc(args);
    assertEquals(0, r.code(), "smc " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }
}
