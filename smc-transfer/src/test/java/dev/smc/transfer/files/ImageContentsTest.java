package dev.smc.transfer.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smc.ImageRef;
import dev.smc.InvalidSpecException;
import dev.smc.NotFoundException;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.transfer.backend.LocalFolderBackend;
import dev.smc.transfer.blocks.BlockMigration;
import dev.smc.transfer.repo.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12, item 6 in the library: an image's contents listed ({@code smc ls}), two images
 * compared ({@code smc diff}), one folder or file restored ({@code restore --include}), and
 * {@code NAME} or {@code NAME-latest} for the newest cycle.
 */
class ImageContentsTest {
  @TempDir
  Path tmp;

  private Path src;
  private Repository repo;
  private final FileMigration engine = FileMigration.builder().threads(2).build();

  @BeforeEach
  void aServer() throws Exception {
    src = tmp.resolve("src");
    Files.createDirectories(src.resolve("etc/nginx"));
    Files.createDirectories(src.resolve("var/lib/db"));
    Files.writeString(src.resolve("etc/nginx/nginx.conf"), "worker_processes 2;\n");
    Files.writeString(src.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    Files.write(src.resolve("var/lib/db/data"), new byte[200_000]);
    Files.writeString(src.resolve("var/lib/db/log"), "begin\n");
    Files.createLink(src.resolve("etc/hosts.link"), src.resolve("etc/hosts"));
    Files.createSymbolicLink(src.resolve("etc/current"), Path.of("nginx/nginx.conf"));
    repo = Repository.open(LocalFolderBackend.openWithoutSync(tmp.resolve("repo")));
  }

  private ImageRef cycle() throws Exception {
    return engine.run(repo, src, "web", Excludes.NONE, TransferOptions.DEFAULTS).image();
  }

  @Test
  void listsEveryEntryBelowAPathWithItsTypeSizeAndTarget() throws Exception {
    ImageRef one = cycle();
    Map<String, ImageEntry> all = new TreeMap<>();
    ImageContents.list(repo, one, "/", e -> all.put(e.path(), e));
    assertEquals(List.of("/", "etc", "etc/current", "etc/hosts", "etc/hosts.link", "etc/nginx", "etc/nginx/nginx.conf",
        "var", "var/lib", "var/lib/db", "var/lib/db/data", "var/lib/db/log"), List.copyOf(all.keySet()));
    assertEquals(ImageEntry.Type.SYMLINK, all.get("etc/current").type());
    assertEquals("nginx/nginx.conf", all.get("etc/current").target());
    assertEquals(200_000, all.get("var/lib/db/data").size());
    ImageEntry link = all.get("etc/hosts.link");
    assertEquals(ImageEntry.Type.HARDLINK, link.type());
    assertEquals("etc/hosts", link.target());
    assertEquals('d', all.get("etc").modeString().charAt(0));

    List<String> below = new ArrayList<>();
    assertEquals(3, ImageContents.list(repo, one, "var/lib/db/", e -> below.add(e.path())));
    assertEquals(List.of("var/lib/db", "var/lib/db/data", "var/lib/db/log"), below);
    assertThrows(NotFoundException.class, () -> ImageContents.list(repo, one, "var/lib/nothing", e -> { }));
    assertThrows(InvalidSpecException.class, () -> ImageContents.list(repo, one, "etc/../../root", e -> { }));
  }

  @Test
  void diffSaysWhatWasAddedRemovedAndWhatChangedInAFile() throws Exception {
    ImageRef one = cycle();
    Files.writeString(src.resolve("var/lib/db/log"), "begin\nmore\n");
    Files.delete(src.resolve("etc/hosts.link"));
    Files.writeString(src.resolve("etc/motd"), "hello\n");
    Files.setPosixFilePermissions(src.resolve("etc/nginx/nginx.conf"), PosixFilePermissions.fromString("rw-------"));
    ImageRef two = cycle();
    Map<String, ImageChange> changes = new TreeMap<>();
    ImageContents.diff(repo, one, two, c -> changes.put(c.path(), c));
    assertEquals(ImageChange.Kind.ADDED, changes.get("etc/motd").kind());
    assertEquals(ImageChange.Kind.REMOVED, changes.get("etc/hosts.link").kind());
    assertEquals(List.of("content", "mtime"), changes.get("var/lib/db/log").what());
    assertEquals(List.of("mode"), changes.get("etc/nginx/nginx.conf").what());
    assertFalse(changes.containsKey("var/lib/db/data"), "an unchanged file is not listed: " + changes.keySet());
    assertEquals(0, ImageContents.diff(repo, two, two, c -> { }), "an image does not differ from itself");
  }

  @Test
  void restoresOnlyTheIncludedPathsAndTheFoldersAboveThem() throws Exception {
    ImageRef one = cycle();
    Path to = tmp.resolve("restored");
    FileRestore.Report r = new FileRestore(2).include(List.of("etc/nginx", "/etc/hosts.link")).restore(repo, one, to);
    assertEquals("worker_processes 2;\n", Files.readString(to.resolve("etc/nginx/nginx.conf")));
    assertEquals("127.0.0.1 localhost\n", Files.readString(to.resolve("etc/hosts.link")),
        "a hard link whose first name is left out is restored as the file");
    assertFalse(Files.exists(to.resolve("etc/hosts")));
    assertFalse(Files.exists(to.resolve("var")));
    assertFalse(Files.exists(to.resolve("etc/current")));
    assertEquals(2, r.files());
    assertEquals(Files.getLastModifiedTime(src.resolve("etc")), Files.getLastModifiedTime(to.resolve("etc")),
        "the folder above keeps the image's attributes");

    Path none = tmp.resolve("none");
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> new FileRestore(2).include(List.of("etc/nope")).restore(repo, one, none));
    assertTrue(e.getMessage().contains("etc/nope"), e.getMessage());
    assertFalse(Files.exists(none), "nothing was written for a path the image does not hold");
  }

  @Test
  void nameOrNameLatestIsTheNewestCycle() throws Exception {
    cycle();
    ImageRef two = cycle();
    assertEquals(two, repo.resolve("web"));
    assertEquals(two, repo.resolve("web-latest"));
    assertEquals(new ImageRef("web", 1), repo.resolve("web-CYCLE_1"));
    assertThrows(NotFoundException.class, () -> repo.resolve("web-CYCLE_9"));
    assertThrows(NotFoundException.class, () -> repo.resolve("db"));
    assertThrows(InvalidSpecException.class, () -> repo.resolve("wéb"));
  }

  @Test
  void aDiskImageHasNoFilesToList() throws Exception {
    Path disk = tmp.resolve("disk.img");
    Files.write(disk, "a small disk".repeat(10_000).getBytes(StandardCharsets.US_ASCII));
    ImageRef d = BlockMigration.builder().threads(2).build().run(repo, disk, "disk", TransferOptions.DEFAULTS).image();
    SmcException e = assertThrows(SmcException.class, () -> ImageContents.list(repo, d, "", x -> { }));
    assertTrue(e.getMessage().contains("disk image"), e.getMessage());
  }
}
