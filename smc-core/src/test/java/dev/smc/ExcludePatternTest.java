package dev.smc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one syntax of exclude patterns: what the spec refuses the file engine refuses too (issue #11, item 6). */
class ExcludePatternTest {
  private static boolean matches(String pattern, String path, boolean dir) {
    return ExcludePattern.parse("excludes", pattern).orElseThrow().matches(path.getBytes(StandardCharsets.UTF_8), dir);
  }

  @Test
  void aBackwardsClassRangeIsRefusedNamingTheFieldThePatternAndWhatIsAllowed() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ExcludePattern.parse("excludes", "[z-a]"));
    FieldError f = e.errors().get(0);
    assertEquals("excludes", f.field());
    assertEquals("[z-a]", f.value());
    assertTrue(f.allowed().contains("[a-z], not [z-a]"), f.allowed());
    assertThrows(InvalidSpecException.class, () -> ExcludePattern.parse("excludes", "/"));
  }

  @Test
  void taskSpecsRefuseTheSamePatternsAndReportEachBadOne() {
    TaskSpec.Builder b = TaskSpec.builder().name("web").source("/srv/web").imageName("web")
        .excludes(List.of("var/cache/", "[z-a]", "*.tmp", "log/[9-0]*"));
    InvalidSpecException e = assertThrows(InvalidSpecException.class, b::build);
    assertEquals(List.of("[z-a]", "log/[9-0]*"), e.errors().stream().map(FieldError::value).toList());
    assertTrue(e.errors().stream().allMatch(f -> f.field().equals("excludes")), e.toString());
    TaskSpec ok = b.excludes(List.of("var/cache/", "*.tmp", "[a-z]*.log", "# a comment", "")).build();
    assertEquals(5, ok.excludes().size());
  }

  @Test
  void patternsMatchAsTheSeedsDescribe() {
    assertTrue(matches("var/cache/", "var/cache", true));
    assertFalse(matches("var/cache/", "var/cache", false));
    assertTrue(matches("*.tmp", "deep/er/x.tmp", false));
    assertFalse(matches("/etc/secret", "srv/etc/secret", false));
    assertTrue(matches("**/node_modules/", "node_modules", true));
    assertTrue(matches("[a-c]x", "bx", false));
    assertFalse(matches("[!a-c]x", "bx", false));
    assertTrue(matches("caf\u00e9", "a/caf\u00e9", false), "a UTF-8 pattern matches the UTF-8 bytes of a name");
    assertTrue(ExcludePattern.parse("excludes", "  # comment").isEmpty());
  }
}
