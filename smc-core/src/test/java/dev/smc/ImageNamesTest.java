package dev.smc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Image names become part of object names, whose segments allow only {@code A-Za-z0-9._-}: the
 * spec, an image reference and a writer refuse any other name up front (issue #11, item 2).
 */
class ImageNamesTest {
  private static TaskSpec.Builder spec(String imageName) {
    return TaskSpec.builder().name("web").source("/srv/web").imageName(imageName);
  }

  @Test
  void anAccentedImageNameIsRefusedUpFrontNamingFieldValueAndTheAsciiAlphabet() {
    for (String bad : List.of("w\u00e9b", "web:1", "web/1", "web 1", "\u8fc1\u79fb-02", "1web", "w")) {
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> spec(bad).build(), bad);
      FieldError f = e.errors().get(0);
      assertEquals("imageName", f.field(), bad);
      assertEquals(bad, f.value());
      assertTrue(f.allowed().contains("ASCII") && f.allowed().contains("A-Z a-z"), f.allowed());
      assertThrows(InvalidSpecException.class, () -> ImageRef.checkName(bad), bad);
      assertThrows(InvalidSpecException.class, () -> new ImageRef(bad, 1), bad);
    }
    assertEquals("web_01-a", ImageRef.checkName("web_01-a"));
    spec("Web_01-a").build();
  }

  @Test
  void aHostNameCanBeAnImageName() {
    TaskSpec s = spec("web01.example.com").build();
    assertEquals("web01.example.com", s.imageName());
    assertEquals("web01.example.com", ImageRef.checkName("web01.example.com"));
    assertEquals(new ImageRef("web01.example.com", 3), ImageRef.parse("image", "web01.example.com-CYCLE_3"));
  }

  @Test
  void taskNamesKeepTheirAlphabetOfLettersDigitsColonUnderscoreDash() {
    TaskSpec s = TaskSpec.builder().name("\u8fc1\u79fb:web_1").source("/srv/web").imageName("web").build();
    assertEquals("\u8fc1\u79fb:web_1", s.name());
  }

  @Test
  void aStoredSpecWithAnOldImageNameStillLoadsSoItsTaskCanBeDeleted() {
    TaskSpec old = spec("web").build();
    TaskSpec loaded = new TaskSpec(old.name(), old.description(), old.source(), "w\u00e9b", List.of("[z-a]"),
        old.syncPolicy(), old.runMode(), old.validity(), old.tags(), old.transfer(), old.clientToken(),
        old.targetType(), old.targetDisks(), old.network(), old.snapshotCommands());
    assertEquals("w\u00e9b", loaded.imageName());
    assertThrows(InvalidSpecException.class, () -> loaded.toBuilder().build(), "a change re-checks it");
  }
}
