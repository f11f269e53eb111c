package dev.smc.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every code block of the README and docs that is marked {@code <!-- snippet: FILE#NAME -->} is,
 * character for character, the region {@code README:NAME begin} .. {@code end} of that file — a
 * file the build compiles and runs (see {@link EmbeddingIT}) — and every Java block is marked: no
 * Java in the docs that the build has not compiled.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of(System.getProperty("smc.root", "..")).toAbsolutePath().normalize();
  private static final Pattern MARKED = Pattern.compile("<!-- snippet: ([^#\\s]+)#(\\w+) -->\\n```\\w+\\n(.*?)```",
      Pattern.DOTALL);

  @Test
  void theReadmesSnippetsAreTheFilesTheBuildCompiles() throws Exception {
    for (String doc : new String[] {"README.md", "docs/architecture.md"}) {
      String text = Files.readString(ROOT.resolve(doc));
      Matcher m = MARKED.matcher(text);
      int marked = 0;
      while (m.find()) {
        marked++;
        String file = Files.readString(ROOT.resolve(m.group(1)));
        Matcher r = Pattern.compile("(?:<!--|//) README:" + m.group(2) + " begin(?: -->)?\\n(.*?)(?:<!--|//) README:"
            + m.group(2) + " end", Pattern.DOTALL).matcher(file);
        assertTrue(r.find(), m.group(1) + " has no region " + m.group(2));
        assertEquals(r.group(1), m.group(3), doc + ": the snippet of " + m.group(1) + "#" + m.group(2)
            + " differs from the file");
      }
      int java = count(text, "```java\n");
      int markedJava = count(text, "-->\n```java\n");
      assertEquals(java, markedJava, doc + ": a Java block that the build does not compile");
      if (doc.equals("README.md")) {
        assertTrue(marked >= 3, "the README's embedding snippets are marked");
      }
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
