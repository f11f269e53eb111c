package dev.smc.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a release would publish, as Maven Central wants it: every library module's jar names its
 * module ({@code Automatic-Module-Name}) and comes with a sources and a javadoc jar; the POMs carry
 * the licence, the SCM, the URL and the developers; only library modules (and the parent and the
 * bom) are installed or deployed; the bom pins every library module and the exact versions of what
 * they use, equal to the build's.
 */
class PublishedArtifactsIT {
  private static final Path ROOT = Path.of(System.getProperty("smc.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("smc.version", "0.1.0-SNAPSHOT");
  private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

  static {
    LIBRARIES.put("smc-core", "dev.smc.core");
    LIBRARIES.put("smc-transfer", "dev.smc.transfer");
    LIBRARIES.put("smc-testkit", "dev.smc.testkit");
    LIBRARIES.put("smc-scheduler", "dev.smc.scheduler");
    LIBRARIES.put("smc-testkit-scheduler", "dev.smc.testkit.scheduler");
    LIBRARIES.put("smc-batch", "dev.smc.batch");
  }

  @Test
  void everyLibraryJarNamesItsModuleAndHasSourcesAndJavadoc() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> m : LIBRARIES.entrySet()) {
      Path target = ROOT.resolve(m.getKey()).resolve("target");
      String base = m.getKey() + "-" + VERSION;
      for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
        if (!Files.isRegularFile(target.resolve(base + suffix))) {
          problems.add(m.getKey() + ": no " + base + suffix);
        }
      }
      Path jar = target.resolve(base + ".jar");
      if (Files.isRegularFile(jar)) {
        try (JarFile j = new JarFile(jar.toFile())) {
          String name = j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
          if (!m.getValue().equals(name)) {
            problems.add(m.getKey() + ": Automatic-Module-Name " + name + ", expected " + m.getValue());
          }
        }
      }
      Path javadoc = target.resolve(base + "-javadoc.jar");
      if (Files.isRegularFile(javadoc)) {
        try (JarFile j = new JarFile(javadoc.toFile())) {
          if (j.getEntry("index.html") == null) {
            problems.add(m.getKey() + ": the javadoc jar has no index.html");
          }
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void thePomsCarryLicenceScmUrlAndDevelopersAndOnlyLibrariesArePublished() throws Exception {
    for (String pom : List.of("pom.xml", "smc-bom/pom.xml")) {
      String text = Files.readString(ROOT.resolve(pom));
      for (String element : List.of("<licenses>", "<scm>", "<url>", "<developers>", "<description>")) {
        assertTrue(text.contains(element), pom + " lacks " + element);
      }
    }
    for (String notLibrary : List.of("smc-examples", "smc-example-adapter", "benchmarks", "smc-release-check")) {
      String text = Files.readString(ROOT.resolve(notLibrary).resolve("pom.xml"));
      assertTrue(text.contains("<maven.install.skip>true</maven.install.skip>")
          && text.contains("<maven.deploy.skip>true</maven.deploy.skip>"), notLibrary + " would be published");
    }
    for (String lib : LIBRARIES.keySet()) {
      String text = Files.readString(ROOT.resolve(lib).resolve("pom.xml"));
      assertTrue(!text.contains("maven.deploy.skip") && text.contains("<description>"), lib);
      Matcher jsr = Pattern.compile("<artifactId>jsr305</artifactId>(.*?)</dependency>").matcher(text);
      while (jsr.find()) {
        assertTrue(jsr.group(1).contains("<optional>true</optional>") || jsr.group(1).contains("<scope>"),
            lib + ": jsr305 must not reach consumers' compile path");
      }
    }
  }

  @Test
  void theBomPinsEveryLibraryAndTheVersionsTheBuildUses() throws Exception {
    String bom = Files.readString(ROOT.resolve("smc-bom/pom.xml"));
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    for (String lib : LIBRARIES.keySet()) {
      assertTrue(bom.contains("<artifactId>" + lib + "</artifactId><version>" + VERSION + "</version>"), lib);
    }
    assertTrue(bom.contains("<version>" + VERSION + "</version>\n  <packaging>pom</packaging>"), "the bom's version");
    Map<String, String> thirdParty = new LinkedHashMap<>();
    thirdParty.put("slf4j-api", "slf4j.version");
    thirdParty.put("lz4-java", "lz4.version");
    thirdParty.put("zstd-jni", "zstd.version");
    thirdParty.put("jna", "jna.version");
    thirdParty.put("fastexcel-reader", "fastexcel.version");
    thirdParty.put("fastexcel", "fastexcel.version");
    thirdParty.put("jsr305", "jsr305.version");
    for (Map.Entry<String, String> e : thirdParty.entrySet()) {
      Matcher p = Pattern.compile("<" + Pattern.quote(e.getValue()) + ">([^<]+)<").matcher(parent);
      assertTrue(p.find(), "the parent has no " + e.getValue());
      assertTrue(bom.contains("<artifactId>" + e.getKey() + "</artifactId><version>" + p.group(1) + "</version>"),
          "the bom pins " + e.getKey() + " at the build's " + p.group(1));
    }
    assertTrue(!Pattern.compile("<version>\\s*[\\[(]").matcher(bom).find(), "no version ranges in the bom");
  }
}
