package dev.smc.examples.cli;

import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.MigrationListener;
import dev.smc.TaskSpec;
import dev.smc.TaskState;
import dev.smc.TransferOptions;
import dev.smc.batch.ImportResult;
import dev.smc.batch.ReadResult;
import dev.smc.batch.SheetException;
import dev.smc.batch.SheetFiles;
import dev.smc.batch.TaskColumns;
import dev.smc.batch.TaskExport;
import dev.smc.batch.TaskImport;
import dev.smc.scheduler.CycleRecord;
import dev.smc.scheduler.LogEntry;
import dev.smc.scheduler.MigrationTask;
import dev.smc.scheduler.Migrations;
import dev.smc.scheduler.Modification;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.repo.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.annotation.Nullable;

/**
 * {@code smc task ...} and {@code smc serve}: migration tasks over a task store in {@code --home}
 * (or {@code SMC_HOME}), with the repository in {@code HOME/repo} unless {@code --repo} says
 * otherwise. Commands that run a cycle run it in this process and return when it ends: exit 0 when
 * it succeeded, 1 when it failed. With a repository in a local folder, each task's transit instance
 * is a receiver process under {@code HOME/transit} that outlives the command, as a transit instance
 * would. Not thread-safe; one instance per command.
 */
final class TaskCommands {
  static final String SUBCOMMANDS = "create, list, show, logs, start, sync, pause, cutover, modify, delete, pin, import, export, template";
  /** A foreground cycle is waited for as long as it takes. */
  private static final Duration FOREVER = Duration.ofDays(3650);

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Clock clock;

  TaskCommands(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.clock = clock;
  }

  int task(List<String> argv) throws IOException {
    if (argv.isEmpty()) {
      throw new UsageException("task: a subcommand is required (allowed: " + SUBCOMMANDS + ")");
    }
    List<String> args = new ArrayList<>(argv);
    String sub = args.remove(0);
    String cmd = "task " + sub;
    return switch (sub) {
      case "create" -> create(new Args(cmd, args, Set.of("home", "repo", "name", "source", "image-name", "interval",
          "max-images", "run", "valid-days", "tag", "exclude", "compress", "bwlimit", "description", "client-token"),
          Set.of("incremental", "checksum", "json")));
      case "list" -> list(new Args(cmd, args, Set.of("home", "repo"), Set.of("json")));
      case "show" -> show(new Args(cmd, args, Set.of("home", "repo"), Set.of("json")));
      case "logs" -> logs(new Args(cmd, args, Set.of("home", "repo"), Set.of()));
      case "start", "sync" -> cycle(sub, new Args(cmd, args, Set.of("home", "repo"), Set.of("json")));
      case "pause", "delete" -> simple(sub, new Args(cmd, args, Set.of("home", "repo"), Set.of("json")));
      case "cutover" -> cutover(new Args(cmd, args, Set.of("home", "repo"), Set.of("sync", "drop-excludes", "json")));
      case "modify" -> modify(new Args(cmd, args, Set.of("home", "repo", "new-name", "description", "interval",
          "max-images"), Set.of("json")));
      case "pin" -> pin(new Args(cmd, args, Set.of("home", "repo", "cycle"), Set.of("off", "json")));
      case "import" -> importSheet(new Args(cmd, args, Set.of("home", "repo"), Set.of("dry-run", "valid-only", "json")));
      case "export" -> export(new Args(cmd, args, Set.of("home", "repo", "out"), Set.of()));
      case "template" -> template(new Args(cmd, args, Set.of("out"), Set.of()));
      default -> throw new UsageException("task: unknown subcommand '" + sub + "' (allowed: " + SUBCOMMANDS + ")");
    };
  }

  /** A scheduler over {@code --home}; the repository is closed with it. */
  private final class Session implements AutoCloseable {
    final Migrations m;
    private final Repository repo;
    @Nullable private Thread hook;

    Session(Args a, MigrationListener listener) throws IOException {
      this(a, listener, null);
    }

    Session(Args a, MigrationListener listener, @Nullable Duration tickEvery) throws IOException {
      Path home = home(a);
      String location = a.get("repo");
      // opened here rather than by Migrations, so that HOME/repo gets the CLI's index cache too
      repo = Main.openRepo(location == null ? home.resolve("repo").toString() : location, TransferOptions.DEFAULTS, a);
      // a repository in a local folder gets a receiver per task (HOME/transit), and every cycle sends
      // through it over HTTPS, as an operator's task would to a transit instance; one that is already
      // remote is written to directly
      Migrations.Builder b = Migrations.builder().home(home).clock(clock).listener(listener).repository(repo)
          .transitReceivers(repo.backend() instanceof LocalFolderBackend);
      if (tickEvery != null) {
        b.tickEvery(tickEvery);
      }
      try {
        m = b.build();
      } catch (IOException | RuntimeException e) {
        closeRepo();
        throw e;
      }
    }

    /** On Ctrl-C or SIGTERM while a cycle runs here: record it as interrupted, for the next start to resume. */
    Session closeOnShutdown() {
      hook = new Thread(this::closeQuietly, "smc-cli-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      return this;
    }

    private void closeQuietly() {
      try {
        m.close();
      } catch (IOException | RuntimeException e) {
        err.println("smc: closing the task store failed: " + Main.describe(e));
      }
    }

    @Override
    public void close() throws IOException {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          return; // shutting down: the hook closes
        }
      }
      try {
        m.close();
      } finally {
        closeRepo();
      }
    }

    private void closeRepo() throws IOException {
      repo.close();
    }
  }

  private Path home(Args a) {
    String h = a.get("home");
    if (h == null || h.isEmpty()) {
      h = env.get("SMC_HOME");
    }
    if (h == null || h.isEmpty()) {
      throw new UsageException(a.command() + ": --home is required (or set SMC_HOME): the folder of the task store");
    }
    Path p = Path.of(h);
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw new UsageException(a.command() + ": --home '" + h + "': must be a folder (it is created when missing)");
    }
    return p;
  }

  private static String name(Args a) {
    List<String> p = a.positional();
    if (p.size() != 1) {
      throw new UsageException(a.command() + ": " + (p.isEmpty() ? "the task name is required, e.g. smc "
          + a.command() + " web" : "one task name expected, got " + p));
    }
    return p.get(0);
  }

  private MigrationListener progress(Args a) {
    return a.flag("json") ? MigrationListener.NONE : new Main.TerminalProgress(err);
  }

  private int create(Args a) throws IOException {
    a.noPositional();
    TaskOptions o = new TaskOptions();
    TaskSpec.Builder b = TaskSpec.builder()
        .name(a.required("name", "the task name: 2-128 characters, starting with a letter"))
        .source(a.required("source", "the folder, disk image file or block device to migrate"))
        .imageName(a.required("image-name", "2-128 characters, starting with a letter"))
        .runMode(o.runMode(a.get("run")))
        .validity(o.validity(a.get("valid-days")))
        .excludes(a.all("exclude"))
        .transfer(o.transfer(a.get("bwlimit"), a.get("compress"), a.flag("checksum")))
        .clientToken(a.get("client-token"))
        .now(clock.instant());
    if (a.get("description") != null) {
      b.description(a.get("description"));
    }
    if (a.flag("incremental") || a.get("interval") != null || a.get("max-images") != null) {
      b.incremental(o.interval(a.get("interval")), o.maxImages(a.get("max-images")));
    }
    o.tags(a.all("tag"), b);
    TaskSpec spec = o.build(b);
    // before the session opens (and so creates) the repository: never in the source itself
    String repo = a.get("repo");
    RepoFolder.refuseSourceIn(a.command(), repo == null ? "the task store's repository" : "--repo",
        repo == null ? home(a).resolve("repo").toString() : repo, Path.of(spec.source()));
    try (Session s = new Session(a, progress(a)).closeOnShutdown()) {
      MigrationTask t = s.m.create(spec);
      if (t.state() == TaskState.Running) {
        return foreground(s, t.name(), a);
      }
      print(s, t, a, "task " + t.name() + " created: " + t.state() + t.nextRun().map(n -> ", runs at " + n).orElse(""));
      return 0;
    }
  }

  private int list(Args a) throws IOException {
    a.noPositional();
    try (Session s = new Session(a, MigrationListener.NONE)) {
      List<MigrationTask> all = s.m.tasks();
      if (a.flag("json")) {
        List<Object> l = new ArrayList<>();
        all.forEach(t -> l.add(TaskViews.summary(t)));
        out.println(Json.of(l));
      } else {
        TaskViews.printList(out, all);
      }
      return 0;
    }
  }

  private int show(Args a) throws IOException {
    String name = name(a);
    try (Session s = new Session(a, MigrationListener.NONE)) {
      MigrationTask t = s.m.task(name);
      if (a.flag("json")) {
        out.println(Json.of(TaskViews.detail(t, s.m.images(name))));
      } else {
        TaskViews.printDetail(out, t, s.m.images(name));
      }
      return 0;
    }
  }

  private int logs(Args a) throws IOException {
    String name = name(a);
    try (Session s = new Session(a, MigrationListener.NONE)) {
      for (LogEntry e : s.m.logs(name)) {
        out.println(e);
      }
      return 0;
    }
  }

  /** {@code start} or {@code sync}: runs the cycle here, in the foreground. */
  private int cycle(String action, Args a) throws IOException {
    String name = name(a);
    try (Session s = new Session(a, progress(a)).closeOnShutdown()) {
      if (action.equals("start")) {
        s.m.start(name);
      } else {
        s.m.sync(name);
      }
      return foreground(s, name, a);
    }
  }

  private int simple(String action, Args a) throws IOException {
    String name = name(a);
    try (Session s = new Session(a, MigrationListener.NONE)) {
      if (action.equals("delete")) {
        s.m.delete(name);
        out.println("task " + name + " deleted; its images stay in the repository");
        return 0;
      }
      MigrationTask t = s.m.pause(name);
      print(s, t, a, "task " + name + ": " + t.state());
      return 0;
    }
  }

  private int cutover(Args a) throws IOException {
    String name = name(a);
    try (Session s = new Session(a, progress(a)).closeOnShutdown()) {
      MigrationTask t = s.m.cutover(name, a.flag("sync"), a.flag("drop-excludes"));
      if (a.flag("sync")) {
        return foreground(s, name, a);
      }
      print(s, t, a, "task " + name + " cut over: " + t.state() + ", transit instance released");
      return 0;
    }
  }

  private int modify(Args a) throws IOException {
    String name = name(a);
    TaskOptions o = new TaskOptions();
    Modification.Builder b = Modification.builder().name(a.get("new-name")).description(a.get("description"))
        .interval(o.interval(a.get("interval"))).maxImages(o.maxImages(a.get("max-images")));
    o.nameAndDescription(a.get("new-name"), a.get("description"));
    o.throwIfAny();
    Modification mod = b.build();
    if (mod.name().isEmpty() && mod.description().isEmpty() && !mod.policy()) {
      throw new UsageException(a.command() + ": nothing to change (give --new-name, --description, --interval"
          + " or --max-images)");
    }
    try (Session s = new Session(a, MigrationListener.NONE)) {
      MigrationTask t = s.m.modify(name, mod);
      print(s, t, a, "task " + t.name() + " modified");
      return 0;
    }
  }

  private int pin(Args a) throws IOException {
    String name = name(a);
    a.required("cycle", "the cycle whose image to pin, e.g. 3 for NAME-CYCLE_3");
    int cycle = (int) a.longValue("cycle", 1, 1, Integer.MAX_VALUE);
    try (Session s = new Session(a, MigrationListener.NONE)) {
      MigrationTask t = s.m.pin(name, cycle, !a.flag("off"));
      print(s, t, a, "task " + name + ": image " + t.spec().imageName() + "-CYCLE_" + cycle
          + (a.flag("off") ? " unpinned" : " pinned"));
      return 0;
    }
  }

  /**
   * {@code task import FILE}: every problem of the sheet as row, column, value and reason; exit 2
   * when there was any (then nothing is created, unless {@code --valid-only}: the valid rows are
   * created, and the exit is still 2, so a script sees that rows were left out), 0 when every row
   * was created (or, with {@code --dry-run}, would be). Tasks with run mode now run their first
   * cycle here, as {@code task create} does; then the exit is 1 if one failed.
   */
  private int importSheet(Args a) throws IOException {
    List<String> files = a.positional();
    if (files.size() != 1) {
      throw new UsageException(a.command() + ": " + (files.isEmpty() ? "the sheet file is required (.xlsx or .csv),"
          + " e.g. smc task import tasks.xlsx (smc task template --out tasks.xlsx makes an empty one)"
          : "one sheet file expected, got " + files));
    }
    ReadResult read = readSheet(Path.of(files.get(0)));
    TaskImport.Options o = new TaskImport.Options(a.flag("dry-run"), a.flag("valid-only"));
    try (Session s = new Session(a, progress(a)).closeOnShutdown()) {
      ImportResult r = TaskImport.run(s.m, read.sheet(), read.problems(), o);
      boolean running = r.created().stream().anyMatch(t -> t.state() == TaskState.Running);
      if (running) {
        s.m.awaitIdle(FOREVER);
      }
      List<MigrationTask> created = new ArrayList<>();
      for (MigrationTask t : r.created()) {
        created.add(s.m.task(t.name()));
      }
      boolean failed = created.stream().anyMatch(t -> t.state() == TaskState.InError || t.state() == TaskState.Stopped);
      if (a.flag("json")) {
        List<Object> problems = new ArrayList<>();
        r.problems().forEach(p -> {
          Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("row", p.row());
          m.put("column", p.column());
          m.put("value", p.value());
          m.put("reason", p.reason());
          problems.add(m);
        });
        List<Object> tasks = new ArrayList<>();
        created.forEach(t -> tasks.add(TaskViews.summary(t)));
        Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("rowsRead", r.rowsRead());
        report.put("dryRun", o.dryRun());
        report.put("created", tasks);
        report.put("problems", problems);
        out.println(Json.of(report));
      } else {
        r.problems().forEach(out::println);
        created.forEach(t -> out.println("task " + t.name() + " created: " + t.state()
            + t.nextRun().map(n -> ", runs at " + n).orElse("")));
        String what = o.dryRun() ? "dry run, nothing created"
            : r.created().size() + " task" + (r.created().size() == 1 ? "" : "s") + " created";
        out.println(r.rowsRead() + " rows read, " + r.problems().size() + " problem"
            + (r.problems().size() == 1 ? "" : "s") + "; " + what
            + (!r.problems().isEmpty() && !o.dryRun() && !o.validOnly()
                ? " (fix the problems, or --valid-only creates the rows without one)" : ""));
      }
      return !r.problems().isEmpty() ? 2 : failed ? 1 : 0;
    }
  }

  /** {@code task export --out F}: the tasks of the home as a sheet that import recreates them from (run mode create-only). */
  private int export(Args a) throws IOException {
    a.noPositional();
    Path file = Path.of(a.required("out", "the sheet file to write (.xlsx or .csv)"));
    try (Session s = new Session(a, MigrationListener.NONE)) {
      TaskExport e = TaskExport.of(s.m);
      SheetFiles.write(file, e.header(), e.rows(), null);
      out.println(e.rows().size() + " task" + (e.rows().size() == 1 ? "" : "s") + " exported to " + file
          + " (run mode create-only: imported tasks wait for task start)");
      return 0;
    }
  }

  /**
   * {@code task template --out F}: an empty task sheet, the header only; an .xlsx also gets a second
   * sheet, "Columns", explaining every column, its allowed values and an example.
   */
  private int template(Args a) throws IOException {
    a.noPositional();
    Path file = Path.of(a.required("out", "the sheet file to write (.xlsx or .csv)"));
    TaskExport empty = TaskExport.of(List.of());
    SheetFiles.write(file, empty.header(), empty.rows(), TaskColumns.guide());
    out.println("template written to " + file + ": one row a task; columns " + String.join(", ", empty.header()));
    return 0;
  }

  /** Reads a sheet with the default limits; a file that cannot be read at all is a usage error (exit 2). */
  private static ReadResult readSheet(Path file) {
    try {
      return SheetFiles.read(file);
    } catch (SheetException e) {
      throw new UsageException("task import: " + e.getMessage());
    }
  }

  /**
   * Waits for the task's cycle to end here; 0 when it succeeded, 4 when it made its image but its
   * post-snapshot hook failed after it (the cycle record names the image), 1 (with the error) when not.
   */
  private int foreground(Session s, String name, Args a) throws IOException {
    MigrationTask t = s.m.awaitCycle(name, FOREVER);
    boolean ok = t.state() == TaskState.Waiting || t.state() == TaskState.Finished;
    Optional<ImageRef> made = ok ? Optional.empty() : t.lastCycle()
        .filter(c -> c.outcome() == CycleRecord.Outcome.Failed).flatMap(CycleRecord::image);
    if (a.flag("json")) {
      out.println(Json.of(TaskViews.detail(t, s.m.images(t.name()))));
    } else {
      out.println(TaskViews.cycleLine(t));
    }
    if (made.isPresent()) {
      err.println("smc " + a.command() + ": error: task " + t.name() + ": image " + made.get() + " was made and is"
          + " kept, but the cycle failed after it: " + t.error().orElse("") + " (see smc task logs " + t.name()
          + "; smc task start " + t.name() + " runs the next cycle)");
      return ExitCode.HOOK_FAILED;
    }
    if (!ok) {
      err.println("smc " + a.command() + ": error: task " + t.name() + " is " + t.state()
          + t.error().map(e -> ": " + e).orElse("") + " (see smc task logs " + t.name() + "; smc task start "
          + t.name() + " resumes)");
    }
    return ok ? ExitCode.OK : ExitCode.FAILED;
  }

  private void print(Session s, MigrationTask t, Args a, String line) throws IOException {
    out.println(a.flag("json") ? Json.of(TaskViews.detail(t, s.m.images(t.name()))) : line);
  }

  /**
   * {@code smc serve}: ticks the scheduler (scheduled starts, interval cycles, expiry) until SIGTERM
   * or SIGINT, then closes it (running cycles are recorded as interrupted, to be resumed) and exits
   * 0. Never returns.
   */
  int serve(List<String> argv) throws IOException {
    Args a = new Args("serve", argv, Set.of("home", "repo", "tick"), Set.of());
    a.noPositional();
    Duration tick = Duration.ofSeconds(a.longValue("tick", 30, 1, 3600));
    Session s = new Session(a, MigrationListener.NONE, tick);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.closeQuietly();
      try {
        s.closeRepo();
      } catch (IOException e) {
        err.println("smc serve: closing the repository failed: " + Main.describe(e));
      }
      out.println("smc serve: stopped; every task is stored");
      out.flush();
      stopped.countDown();
      // a JVM ended by a signal exits 128+signal; a clean checkpoint is a success
      Runtime.getRuntime().halt(0);
    }, "smc-serve-shutdown"));
    s.m.start();
    out.println("smc serve: " + home(a) + ", " + s.m.tasks().size() + " tasks, ticking every " + tick.toSeconds()
        + " s; SIGTERM or Ctrl-C stops");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
