package dev.smc.examples.cli;

import dev.smc.CycleReport;
import dev.smc.FieldError;
import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.Progress;
import dev.smc.SmcException;
import dev.smc.TaskId;
import dev.smc.TransferOptions;
import dev.smc.spi.ImageInfo;
import dev.smc.transfer.repo.Checker;
import dev.smc.transfer.repo.GarbageCollector;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code smc}: migrate a tree into an image repository, list, restore, check, forget and collect
 * garbage, describe a disk, a demo, migration tasks ({@code task ...}, {@code serve}), and the transit
 * instance ({@code receiver}). Exit codes ({@link ExitCode}): 0 done, 1 failed, 2 bad arguments, 4 the
 * image was made but the post-snapshot hook failed.
 */
public final class Main {
  static final String USAGE = """
      usage: smc <command> [options]
        demo                                   migrate a sample server through three cycles, restore, verify
        migrate --source DIR|DISK --repo REPO --image-name NAME [--mode file|block] [--exclude PAT]...
                [--exclude-from FILE] [--partitions 1,3] [--pre-snapshot CMD] [--post-snapshot CMD]
                [--compress 0-10] [--checksum] [--bwlimit KBPS] [--json]
        images  --repo REPO [--json]
        restore --repo REPO --image NAME-CYCLE_N --target DIR|FILE|DEVICE [--keep-partial] [--json]
                                               a failed restore removes what it wrote (--keep-partial: keeps the
                                               partial tree, without the files it had not finished)
        check   --repo REPO [--read-data] [--json]
        forget  --repo REPO --image-name NAME --keep N | --image NAME-CYCLE_N   keep the newest N, or remove one
                                               image (also a damaged one); gc frees the space
        gc      --repo REPO [--dry-run] [--json]
        unlock  --repo REPO [--all] [--json]   remove the locks of processes that are gone (dead on this host,
                                               or not refreshed for 10 minutes); --all: every lock
        describe --source DISK [--json]        a disk image or block device: partition table, file systems
        task create --name N --source DIR|DISK --image-name I [--incremental --interval 6h --max-images 3]
                [--run now|create-only|at:2026-12-01T02:00:00Z] [--valid-days 7-90] [--tag KEY=VALUE]...
                [--exclude PAT]... [--compress 0-10] [--bwlimit KBPS] [--checksum] [--description T]
                [--client-token T] [--json]
        task list [--json]                     task show N [--json]          task logs N
        task start N | task sync N             run the cycle here; exit 0 when it succeeded, 1 when not
        task pause N | task delete N           pause: Waiting, or Running while syncing (in any process);
                                               delete: any state but Running (images stay)
        task cutover N [--sync [--drop-excludes]]  --sync: one final cycle first (--drop-excludes: without
                                               the task's excludes); then Finished
        task modify N [--new-name N2] [--description T] [--interval 6h] [--max-images 1-10]
        task pin N --cycle C [--off]           keep NAME-CYCLE_C from retention (--off: release it)
        task import FILE [--dry-run] [--valid-only] [--json]  create a task per row of a sheet (.xlsx, .csv);
                                               every bad cell reported (row, column, value, reason), exit 2,
                                               nothing created (--valid-only: the valid rows are; still exit 2)
        task export --out FILE                 the tasks as a sheet import recreates them from (create-only)
        task template --out FILE               an empty sheet: columns = task create options; exclude, tag: a;b
        serve [--tick SECONDS]                 run due cycles, expiry and recovery until SIGTERM/Ctrl-C, exit 0
        receiver --root ROOT --listen HOST:PORT --cert-dir CERTS --tokens FILE [--max-body-mib 1-1024]
                [--max-connections 1-4096] [--ready-file F]
                                               the transit instance: serves the repositories ROOT/REPO over HTTPS
                                               until SIGTERM/Ctrl-C, then exits 0; prints "listening
                                               https://HOST:PORT fingerprint sha256:HEX". The first start makes a
                                               key and a self-signed certificate in CERTS (fingerprint in
                                               CERTS/fingerprint). FILE: one "REPO TOKEN" line per task (token:
                                               22+ printable characters, e.g. openssl rand -hex 16), read again
                                               when it changes
      REPO is a folder, a URI (file:/srv/repo, mem:), or a receiver's https://HOST:PORT/REPO, which takes:
        --token-file F                         the task's token: the file's first line, as in the receiver's FILE
        --pin sha256:HEX                       trust exactly the receiver's certificate (CERTS/fingerprint);
                                               without --pin the receiver needs a certificate a CA signed for HOST
        --proxy HOST:PORT                      reach the receiver through an HTTP proxy that tunnels (CONNECT)
      task and serve take --home HOME (or env SMC_HOME), the task store; the repository is HOME/repo unless
      --repo REPO (give it to every command of that home). --interval: whole hours or days, 1h..168h (1d..7d);
      --max-images 1..10; --run at: 10 minutes to 30 days ahead; --valid-days 7..90 (default 30); <= 20 tags.
      --image-name: 2-128 characters, an ASCII letter then A-Z a-z 0-9 _ - (it becomes part of object names).
      --source: a folder, a disk image file (not empty) or a block device (not a FIFO, procfs or sysfs); a
      repository inside a folder source is left out of every cycle (a warning says so); one equal to the source,
      or holding it, is refused. --exclude-from: a regular file, one pattern per line.
      exit codes: 0 done; 1 failed; 2 bad arguments (one line naming the option, the value, what is allowed);
      4 the image was made, but the post-snapshot hook failed after it.
      every command takes --debug (stack traces on failure)""";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  Main(PrintStream out, PrintStream err) {
    this(out, err, System.getenv());
  }

  Main(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public static void main(String[] args) {
    int code = new Main(System.out, System.err).run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command; returns the exit code. */
  int run(String... argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    boolean debug = args.remove("--debug");
    if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      out.println(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    String cmd = args.remove(0);
    if (cmd.equals("task") && !args.isEmpty()) {
      cmd = "task " + args.get(0);
    }
    try {
      return switch (cmd) {
        case "demo" -> new Demo(out, err).run(new Args(cmd, args, Set.of("dir"), Set.of("keep")));
        case "migrate" -> new MigrateCommand(out, err).run(args);
        case "images" -> images(args);
        case "restore" -> new RestoreCommand(out, err).run(args);
        case "check" -> check(args);
        case "forget" -> forget(args);
        case "gc" -> gc(args);
        case "unlock" -> unlock(args);
        case "describe" -> new DescribeCommand(out).run(args);
        case "serve" -> tasks().serve(args);
        case "receiver" -> dev.smc.transfer.remote.ReceiverMain.run(args.toArray(new String[0]), out, err);
        default -> {
          if (cmd.equals("task") || cmd.startsWith("task ")) {
            yield tasks().task(args);
          }
          throw new UsageException("unknown command '" + cmd
              + "' (allowed: demo, migrate, images, restore, check, forget, gc, unlock, describe, task, serve,"
              + " receiver)");
        }
      };
    } catch (UsageException e) {
      err.println("smc: " + e.getMessage());
      return 2;
    } catch (InvalidSpecException e) {
      for (FieldError f : e.errors()) {
        err.println("smc " + cmd + ": " + f + TaskOptions.optionOf(cmd, f.field()));
      }
      return 2;
    } catch (SmcException e) {
      err.println("smc " + cmd + ": " + (e.code() == dev.smc.ErrorCode.INVALID_SPEC ? "" : "error: ") + describe(e));
      if (debug) {
        e.printStackTrace(err);
      }
      return e.code() == dev.smc.ErrorCode.INVALID_SPEC ? 2 : 1;
    } catch (IOException | RuntimeException e) {
      err.println("smc " + cmd + ": error: " + describe(e));
      if (debug) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }

  private TaskCommands tasks() {
    return new TaskCommands(out, err, env, java.time.Clock.systemUTC());
  }

  static String describe(Throwable e) {
    String msg = e.getMessage();
    if (e instanceof NoSuchFileException) {
      msg = "no such file or folder: " + msg;
    } else if (msg == null || msg.isBlank()) {
      msg = e.getClass().getSimpleName();
    }
    Throwable c = e.getCause();
    if (c != null && c.getMessage() != null && !msg.contains(c.getMessage())) {
      msg += " (" + c.getMessage() + ")";
    }
    return msg;
  }

  static Repository openRepo(String location, TransferOptions options) throws IOException {
    return openRepo(location, options, null);
  }

  /** Opens a folder, a backend URI, or (with {@code a}'s --token-file and --pin) a receiver's repository. */
  static Repository openRepo(String location, TransferOptions options, Args a) throws IOException {
    if (a != null) {
      Optional<dev.smc.spi.Backend> remote = RemoteRepo.open(location, a);
      if (remote.isPresent()) {
        return Repository.open(remote.get(), Repository.options().transfer(options).cacheDir(cacheDir()));
      }
    }
    boolean uri = dev.smc.transfer.backend.Backends.isUri(location);
    Path p = Path.of(uri ? "." : location);
    if (!uri && Files.exists(p) && !Files.isDirectory(p)) {
      throw new UsageException("--repo '" + location + "': must be a folder (it is created when missing)");
    }
    return Repository.open(dev.smc.transfer.backend.Backends.open(location),
        Repository.options().transfer(options).cacheDir(cacheDir()));
  }

  /** Where the CLI keeps caches: $SMC_CACHE_DIR, else $XDG_CACHE_HOME/smc, else ~/.cache/smc. */
  static Path cacheDir() {
    String dir = System.getenv("SMC_CACHE_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    return xdg != null && !xdg.isBlank() ? Path.of(xdg, "smc") : Path.of(System.getProperty("user.home"), ".cache", "smc");
  }

  /** The repository of {@code a}'s {@code --repo}, which must exist (a local one has its 'config'). */
  static Repository existingRepo(Args a) throws IOException {
    String dir = a.required("repo", "the repository folder");
    RemoteRepo.refuseRemoteOptions(dir, a);
    boolean uri = dev.smc.transfer.backend.Backends.isUri(dir);
    if (!uri && !Files.exists(Path.of(dir, "config"))) {
      throw new UsageException("--repo '" + dir + "': no smc repository there (no 'config'); migrate creates one");
    }
    return openRepo(dir, TransferOptions.DEFAULTS, a);
  }

  private int images(List<String> argv) throws IOException {
    Args a = new Args("images", argv, Set.of("repo"), Set.of("json"));
    a.noPositional();
    try (Repository repo = existingRepo(a)) {
      List<ImageInfo> all = repo.images();
      for (String problem : repo.imageProblems()) {
        err.println("warning: " + problem);
      }
      if (a.flag("json")) {
        List<Object> l = new ArrayList<>();
        for (ImageInfo i : all) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("image", i.ref().toString());
          m.put("name", i.ref().name());
          m.put("cycle", i.ref().cycle());
          m.put("kind", i.kind().name());
          m.put("created", i.created().toString());
          m.put("parent", i.parent().map(ImageRef::toString).orElse(null));
          m.put("files", i.longProperty("files"));
          m.put("bytes", i.longProperty("bytes"));
          m.put("pinned", i.pinned());
          l.add(m);
        }
        out.println(Json.of(l));
      } else {
        out.printf("%-40s %-6s %-24s %10s %12s%n", "IMAGE", "KIND", "CREATED", "FILES", "SIZE");
        for (ImageInfo i : all) {
          out.printf("%-40s %-6s %-24s %10d %12s%s%n", i.ref(), i.kind(), i.created(), i.longProperty("files"),
              size(i.longProperty("bytes")), i.pinned() ? " pinned" : "");
        }
      }
      return 0;
    }
  }

  private int check(List<String> argv) throws IOException {
    Args a = new Args("check", argv, Set.of("repo"), Set.of("read-data", "json"));
    a.noPositional();
    try (Repository repo = existingRepo(a)) {
      Checker.Report r = repo.check(a.flag("read-data"));
      if (a.flag("json")) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.ok());
        m.put("images", r.images());
        m.put("packs", r.packs());
        m.put("chunks", r.chunks());
        m.put("bytesRead", r.bytesRead());
        m.put("errors", r.errors());
        m.put("notes", r.notes());
        out.println(Json.of(m));
      } else {
        r.notes().forEach(n -> out.println("note: " + n));
        r.errors().forEach(e -> out.println("error: " + e));
        out.printf("%s: %d images, %d packs, %d chunks%s: %s%n", repo.backend().location(), r.images(), r.packs(),
            r.chunks(), a.flag("read-data") ? ", " + size(r.bytesRead()) + " read" : "",
            r.ok() ? "no errors" : r.errors().size() + " error(s)");
      }
      return r.ok() ? 0 : 1;
    }
  }

  private int unlock(List<String> argv) throws IOException {
    Args a = new Args("unlock", argv, Set.of("repo"), Set.of("all", "json"));
    a.noPositional();
    try (Repository repo = existingRepo(a)) {
      return new UnlockCommand(out).run(repo, a.flag("all"), a.flag("json"));
    }
  }

  private int forget(List<String> argv) throws IOException {
    Args a = new Args("forget", argv, Set.of("repo", "image-name", "keep", "image"), Set.of());
    a.noPositional();
    if (a.get("image") != null) {
      if (a.get("image-name") != null || a.get("keep") != null) {
        throw new UsageException("forget: --image removes one image; it does not go with --image-name or --keep");
      }
      ImageRef one = ImageRef.parse("--image", a.get("image"));
      try (Repository repo = existingRepo(a)) {
        repo.delete(one);
        out.println("forgot " + one + "; run 'smc gc' to free the space");
        return 0;
      }
    }
    String name = a.required("image-name", "the image name whose old cycles to remove (or --image NAME-CYCLE_N)");
    a.required("keep", "how many of the newest cycles to keep, 1..10");
    int keep = (int) a.longValue("keep", 1, 1, 10);
    try (Repository repo = existingRepo(a)) {
      List<ImageRef> removed = repo.forget(name, keep);
      out.println(removed.isEmpty() ? "nothing to forget" : "forgot " + removed + "; run 'smc gc' to free the space");
      return 0;
    }
  }

  private int gc(List<String> argv) throws IOException {
    Args a = new Args("gc", argv, Set.of("repo"), Set.of("dry-run", "json"));
    a.noPositional();
    try (Repository repo = existingRepo(a)) {
      if (a.flag("dry-run")) {
        GarbageCollector.Plan p = repo.planGc();
        out.println(a.flag("json") ? Json.of(plan(p)) : "would: " + p);
        return 0;
      }
      GarbageCollector.Result r = repo.gc();
      if (a.flag("json")) {
        Map<String, Object> m = plan(r.plan());
        m.put("bytesBefore", r.bytesBefore());
        m.put("bytesAfter", r.bytesAfter());
        out.println(Json.of(m));
      } else {
        out.println(r.plan() + "; repository data " + size(r.bytesBefore()) + " -> " + size(r.bytesAfter()));
      }
      return 0;
    }
  }

  private static Map<String, Object> plan(GarbageCollector.Plan p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", p.images());
    m.put("chunksUsed", p.chunksUsed());
    m.put("packsKept", p.keep().size());
    m.put("packsDeleted", p.delete().size());
    m.put("packsRepacked", p.repack().size());
    m.put("packsSalvaged", p.salvage().size());
    m.put("bytesFreed", p.bytesFreed());
    return m;
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] u = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
  }

  /** Progress on a terminal: one line, rewritten at most four times a second. */
  static final class TerminalProgress implements MigrationListener {
    private final PrintStream err;
    private final boolean tty = System.console() != null;
    private boolean printed;

    TerminalProgress(PrintStream err) {
      this.err = err;
    }

    @Override
    public void progress(TaskId task, Progress p) {
      if (!tty) {
        return;
      }
      String pct = p.percent() < 0 ? "" : String.format(Locale.ROOT, "%5.1f%% ", p.percent());
      String eta = p.eta().map(d -> " ETA " + d.toSeconds() + "s").orElse("");
      err.print(String.format(Locale.ROOT, "\r%s%s scanned, %s read, %s stored, %d files, %s/s%s   ", pct,
          size(p.bytesScanned()), size(p.bytesRead()), size(p.bytesSent()), p.filesScanned(),
          size((long) p.bytesPerSecond()), eta));
      printed = true;
    }

    @Override
    public void cycleFinished(TaskId task, int cycle, CycleReport report) {
      clear();
    }

    @Override
    public void cycleFailed(TaskId task, int cycle, SmcException cause) {
      clear();
    }

    /** Erases the progress line, if one was printed. */
    void clear() {
      if (printed) {
        err.print("\r" + " ".repeat(100) + "\r");
        printed = false;
      }
    }
  }
}
