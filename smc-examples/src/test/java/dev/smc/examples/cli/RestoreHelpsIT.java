package dev.smc.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 6 and 7 of issue #12 through the real jar: NAME and NAME-latest, ls, diff, restore --include,
 * forget's --keep, unknown names, --json, seconds in tables, export to stdout.
 */
class RestoreHelpsIT {
  @TempDir
  Path tmp;

  private Path src;
  private Path repo;
  private SmcJar smc;

  @BeforeEach
  void twoCycles() throws Exception {
    src = tmp.resolve("server");
    Files.createDirectories(src.resolve("etc/nginx"));
    Files.createDirectories(src.resolve("var/log"));
    Files.writeString(src.resolve("etc/nginx/nginx.conf"), "worker_processes 4;\n");
    Files.writeString(src.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    Files.writeString(src.resolve("var/log/syslog"), "boot\n");
    repo = tmp.resolve("repo");
    smc = new SmcJar(tmp, Map.of("SMC_REPO", repo.toString()));
    assertEquals(0, smc.run("migrate", "--source", src.toString(), "--image-name", "web01.example.com").code());
    Files.writeString(src.resolve("etc/nginx/nginx.conf"), "worker_processes 8;\n");
    Files.delete(src.resolve("etc/hosts"));
    Files.writeString(src.resolve("var/log/new.log"), "hello\n");
    SmcJar.Run second = smc.run("migrate", "--source", src.toString(), "--image-name", "web01.example.com");
    assertEquals(0, second.code(), second.err());
  }

  @Test
  void lsAndDiffShowTheImagesFromTheirTrees() throws Exception {
    SmcJar.Run ls = smc.run("ls", "web01.example.com", "etc");
    assertEquals(0, ls.code(), ls.err());
    assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("-rw-") && l.endsWith(" etc/nginx/nginx.conf")), ls.out());
    assertFalse(ls.out().contains("var/log"), "only what is below etc: " + ls.out());
    assertFalse(ls.out().contains("etc/hosts"), "the newest image has no etc/hosts: " + ls.out());
    assertTrue(smc.run("ls", "web01.example.com-CYCLE_1", "etc/hosts").out().contains("etc/hosts"));
    SmcJar.Run json = smc.run("ls", "web01.example.com-latest", "var", "--json");
    assertEquals(0, json.code(), json.err());
    assertTrue(json.out().lines().allMatch(l -> l.startsWith("{\"path\":")), json.out());
    SmcJar.Run none = smc.run("ls", "web01.example.com", "no/such");
    assertEquals(2, none.code(), none.err());

    SmcJar.Run diff = smc.run("diff", "web01.example.com-CYCLE_1", "web01.example.com-CYCLE_2");
    assertEquals(0, diff.code(), diff.err());
    assertTrue(diff.out().contains("- etc/hosts"), diff.out());
    assertTrue(diff.out().contains("+ var/log/new.log"), diff.out());
    assertTrue(diff.out().lines().anyMatch(l -> l.startsWith("M etc/nginx/nginx.conf (") && l.contains("content")),
        diff.out());
    SmcJar.Run djson = smc.run("diff", "web01.example.com-CYCLE_1", "web01.example.com", "--json");
    assertTrue(djson.out().contains("\"change\":\"REMOVED\",\"path\":\"etc/hosts\""), djson.out());
  }

  @Test
  void restoreTakesTheNewestByNameAndChosenPaths() throws Exception {
    Path to = tmp.resolve("restored");
    SmcJar.Run r = smc.run("restore", "--image", "web01.example.com", "--target", to.toString(), "--include",
        "etc/nginx", "--include", "var/log/new.log");
    assertEquals(0, r.code(), r.err());
    assertEquals("worker_processes 8;\n", Files.readString(to.resolve("etc/nginx/nginx.conf")));
    assertEquals("hello\n", Files.readString(to.resolve("var/log/new.log")));
    assertFalse(Files.exists(to.resolve("var/log/syslog")), "not included");
    SmcJar.Run missing = smc.run("restore", "--image", "web01.example.com", "--target", tmp.resolve("t2").toString(),
        "--include", "etc/hosts");
    assertEquals(2, missing.code(), missing.err());
    assertFalse(Files.exists(tmp.resolve("t2")), "a path the image lacks fails before anything is written");
    SmcJar.Run unknown = smc.run("restore", "--image", "nosuch", "--target", tmp.resolve("t3").toString());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--image 'nosuch': no image of name 'nosuch'"), unknown.err());
  }

  @Test
  void forgetImagesAndTablesBehaveAsACarefulToolDoes() throws Exception {
    SmcJar.Run images = smc.run("images");
    assertTrue(images.out().lines().skip(1).allMatch(l -> l.matches("\\S+-CYCLE_\\d\\s+FILES\\s+"
        + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\d+\\s+[\\d.]+ (B|KiB|MiB)")), images.out());
    SmcJar.Run keep = smc.run("forget", "--image-name", "web01.example.com", "--keep", "50", "--json");
    assertEquals(0, keep.code(), keep.err());
    assertTrue(keep.out().contains("\"forgotten\": []"), keep.out());
    SmcJar.Run unknown = smc.run("forget", "--image-name", "nosuch", "--keep", "1");
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("no image of name 'nosuch'"), unknown.err());
    SmcJar.Run one = smc.run("forget", "--image-name", "web01.example.com", "--keep", "1", "--json");
    assertTrue(one.out().contains("\"web01.example.com-CYCLE_1\""), one.out());

    Path home = tmp.resolve("home");
    SmcJar tasks = new SmcJar(tmp, Map.of("SMC_HOME", home.toString()));
    assertEquals(0, tasks.run("task", "create", "--name", "web", "--source", src.toString(), "--image-name", "web",
        "--run", "create-only").code());
    SmcJar.Run csv = tasks.run("task", "export", "--out", "-");
    assertEquals(0, csv.code(), csv.err());
    assertTrue(csv.out().startsWith("name,") && csv.out().contains("\nweb,"), csv.out());
    SmcJar.Run logs = tasks.run("task", "logs", "web", "--json");
    assertEquals(0, logs.code(), logs.err());
    assertTrue(logs.out().strip().startsWith("[") && logs.out().contains("\"event\""), logs.out());
    SmcJar.Run text = tasks.run("task", "logs", "web");
    assertTrue(text.out().lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .*")), text.out());
  }
}
