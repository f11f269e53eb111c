package dev.smc.examples.cli;

import dev.smc.CycleReport;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.Backends;
import dev.smc.transfer.files.Excludes;
import dev.smc.transfer.files.FileMigration;
import dev.smc.transfer.files.FileRestore;
import dev.smc.transfer.files.TreeCompare;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code smc demo}: makes a small sample server in a temporary folder, migrates it (full cycle),
 * changes it twice with an incremental cycle after each change, restores the last image, verifies
 * it equals the source, and prints what each cycle sent.
 */
@Command(name = "demo", description = "Make a small sample server in a temporary folder, migrate it (a full"
    + " cycle, then two incremental ones after changes), restore the last image, verify it equals the source,"
    + " check the repository, and print what each cycle sent. Exit 0 when all of it holds.")
final class DemoCommand extends CliCommand {
  private static final String[] WORDS = ("server config file path user error default value enable disable true false "
      + "request response http port host name type data time log level info warn debug version service start stop")
      .split(" ");
  @Option(names = "--dir", paramLabel = "DIR", description = "Work in DIR (which must not hold server/, repo/ or"
      + " restored/) and keep it, instead of a temporary folder that is removed.")
  @Nullable String dir;

  @Option(names = "--keep", description = "Keep the temporary folder (the sample server, the repository, the"
      + " restored tree) to look at.")
  boolean keep;

  @Nullable private PrintStream out;

  DemoCommand(Cli cli) {
    super(cli);
  }

  @Override
  int run() throws IOException {
    out = cli.out();
    Path base = dir != null ? Path.of(dir) : Files.createTempDirectory("smc-demo-");
    Files.createDirectories(base);
    Path server = base.resolve("server");
    Path repoDir = base.resolve("repo");
    Path restored = base.resolve("restored");
    if (Files.exists(server) || Files.exists(repoDir) || Files.exists(restored)) {
      throw usage("--dir '" + base + "' already holds server/, repo/ or restored/; give an empty folder");
    }
    try {
      out.println("smc demo in " + base);
      Random rnd = new Random(42);
      makeServer(server, rnd);
      out.println("1. made a sample server: " + server);
      TransferOptions options = TransferOptions.builder().compressionLevel(1).checksum(true).build();
      Excludes excludes = Excludes.of(List.of("var/cache/", "*.tmp"));
      out.println("   excludes: var/cache/ and *.tmp; compression level 1; checksum verification on");
      ProgressLine line = ProgressLine.forStderr(cli);
      try (Repository repo = Repository.open(Backends.open(repoDir.toString()),
          Repository.options().transfer(options).cacheDir(cli.cacheDir()))) {
        FileMigration engine = FileMigration.builder().listener(line).build();
        CycleReport r1 = engine.run(repo, server, "demo-web", excludes, options);
        print(r1);
        changeServer(server, rnd, 1);
        out.println("2. changed the server: edited 5 files in place, appended to a log, wrote 3 blocks of a database,"
            + " added 2 files, removed 1");
        print(engine.run(repo, server, "demo-web", excludes, options));
        changeServer(server, rnd, 2);
        out.println("3. changed it again");
        CycleReport r3 = engine.run(repo, server, "demo-web", excludes, options);
        print(r3);
        FileRestore.Report rr = new FileRestore().restore(repo, r3.image(), restored);
        out.printf(Locale.ROOT, "4. restored %s into %s (%d entries, %s)%n", rr.image(), restored, rr.entries(),
            Fmt.size(rr.bytes()));
        List<String> diffs = TreeCompare.differences(bytes(server), bytes(restored), excludes);
        Checker.Report check = repo.check(true);
        if (!diffs.isEmpty()) {
          out.println("5. VERIFY FAILED: the restored tree differs from the source:");
          diffs.forEach(d -> out.println("   " + d));
          return 1;
        }
        out.println("5. verified: the restored tree equals the source (content, modes, owners, ns mtimes, links,"
            + " xattrs)");
        out.println("6. check --read-data: " + (check.ok() ? "no errors" : check.errors()));
        out.println("images: " + repo.images().stream().map(i -> i.ref().toString()).toList());
        return check.ok() ? 0 : 1;
      }
    } finally {
      if (!keep && dir == null) {
        deleteTree(base);
      } else {
        out.println("kept " + base);
      }
    }
  }

  private void print(CycleReport r) {
    out.printf(Locale.ROOT, "   %s (%s): %d files, %s scanned, %s read, %s sent to the repository, %d files unchanged"
            + " and not opened, %.2f s%n", r.image(), r.type().name().toLowerCase(Locale.ROOT), r.filesScanned(),
        Fmt.size(r.bytesScanned()), Fmt.size(r.bytesRead()), Fmt.size(r.bytesStored()), r.filesReused(),
        r.elapsed().toNanos() / 1e9);
  }

  private static byte[] bytes(Path p) {
    return p.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Random rnd, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(i % 12 == 11 ? '\n' : ' ');
    }
    return sb.append('\n').toString();
  }

  private static void makeServer(Path root, Random rnd) throws IOException {
    for (String d : List.of("etc/nginx", "var/log", "var/lib/db", "var/cache/apt", "home/alice", "srv/www", "opt/empty")) {
      Files.createDirectories(root.resolve(d));
    }
    for (int i = 0; i < 60; i++) {
      Files.writeString(root.resolve("etc/nginx/site" + i + ".conf"), text(rnd, 40 + rnd.nextInt(400)));
      Files.writeString(root.resolve("srv/www/page" + i + ".html"), text(rnd, 100 + rnd.nextInt(2000)));
    }
    Files.writeString(root.resolve("var/log/syslog"), text(rnd, 20000));
    byte[] db = new byte[8 << 20];
    for (int p = 0; p < db.length; p += 8192) {
      byte[] page = text(rnd, 300).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(page, 0, db, p, Math.min(page.length, 8192));
    }
    Files.write(root.resolve("var/lib/db/heap.dat"), db);
    byte[] blob = new byte[2 << 20];
    rnd.nextBytes(blob);
    Files.write(root.resolve("home/alice/photo.jpg"), blob);
    Files.writeString(root.resolve("var/cache/apt/pkgcache.bin"), text(rnd, 5000));
    Files.writeString(root.resolve("home/alice/scratch.tmp"), "temporary\n");
    Files.createSymbolicLink(root.resolve("etc/nginx/default"), Path.of("site0.conf"));
    Files.createSymbolicLink(root.resolve("home/alice/dangling"), Path.of("/nowhere/at/all"));
    Files.createLink(root.resolve("srv/www/index.html"), root.resolve("srv/www/page0.html"));
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("var/lib/db/sparse.img").toFile(), "rw")) {
      f.setLength(64 << 20);
      f.seek(32 << 20);
      f.write("a block in the middle of a hole".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void changeServer(Path root, Random rnd, int round) throws IOException {
    for (int i = 0; i < 5; i++) {
      Path p = root.resolve("etc/nginx/site" + rnd.nextInt(60) + ".conf");
      Files.writeString(p, "# changed in round " + round + "\n" + text(rnd, 30), StandardOpenOption.APPEND);
    }
    Files.writeString(root.resolve("var/log/syslog"), text(rnd, 2000), StandardOpenOption.APPEND);
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("var/lib/db/heap.dat").toFile(), "rw")) {
      for (int i = 0; i < 3; i++) {
        f.seek((long) rnd.nextInt(1024) * 8192);
        f.write(("page rewritten in round " + round).getBytes(StandardCharsets.US_ASCII));
      }
    }
    Files.writeString(root.resolve("srv/www/new-" + round + ".html"), text(rnd, 500));
    Files.writeString(root.resolve("home/alice/notes-" + round + ".txt"), text(rnd, 50));
    Files.deleteIfExists(root.resolve("srv/www/page" + (10 + round) + ".html"));
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
