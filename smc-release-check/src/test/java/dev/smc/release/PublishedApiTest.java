package dev.smc.release;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The public API of the library modules exposes no internal type: no public or protected member of
 * a public class outside {@code .internal} packages takes, returns or throws a type of an
 * {@code .internal} package. An embedding program never needs an internal type.
 */
class PublishedApiTest {
  private static final List<Class<?>> MODULES = List.of(dev.smc.TaskSpec.class,
      dev.smc.transfer.repo.Repository.class, dev.smc.testkit.FaultyBackend.class, dev.smc.scheduler.Migrations.class,
      dev.smc.testkit.scheduler.TaskStoreContract.class, dev.smc.batch.TaskImport.class);

  @Test
  void noPublicSignatureNamesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> anchor : MODULES) {
      for (String name : classesOf(anchor)) {
        if (name.contains(".internal.") || name.contains("$$")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, anchor.getClassLoader());
        if (!Modifier.isPublic(c.getModifiers()) || !publicOuter(c)) {
          continue;
        }
        for (Method m : c.getDeclaredMethods()) {
          if (exported(m.getModifiers()) && !m.isSynthetic()) {
            check(leaks, c, m.getName(), m.getGenericReturnType());
            for (Type t : m.getGenericParameterTypes()) {
              check(leaks, c, m.getName(), t);
            }
            for (Type t : m.getGenericExceptionTypes()) {
              check(leaks, c, m.getName(), t);
            }
          }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
          if (exported(k.getModifiers()) && !k.isSynthetic()) {
            for (Type t : k.getGenericParameterTypes()) {
              check(leaks, c, "<init>", t);
            }
          }
        }
        for (Field f : c.getDeclaredFields()) {
          if (exported(f.getModifiers()) && !f.isSynthetic()) {
            check(leaks, c, f.getName(), f.getGenericType());
          }
        }
        if (c.getSuperclass() != null) {
          check(leaks, c, "extends", c.getGenericSuperclass());
        }
      }
    }
    assertEquals(List.of(), leaks, "public API naming internal types");
  }

  private static boolean publicOuter(Class<?> c) {
    for (Class<?> o = c.getEnclosingClass(); o != null; o = o.getEnclosingClass()) {
      if (!Modifier.isPublic(o.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean exported(int mod) {
    return Modifier.isPublic(mod) || Modifier.isProtected(mod);
  }

  private static void check(List<String> leaks, Class<?> c, String member, Type t) {
    String s = t.getTypeName();
    if (s.matches(".*\\bdev\\.smc\\.[\\w.]*internal\\..*")) {
      leaks.add(c.getName() + "." + member + ": " + s);
    }
  }

  /** Every class in the jar or folder {@code anchor} was loaded from. */
  static List<String> classesOf(Class<?> anchor) throws IOException, URISyntaxException {
    Path where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    TreeSet<String> out = new TreeSet<>();
    if (Files.isDirectory(where)) {
      try (var files = Files.walk(where)) {
        files.filter(p -> p.toString().endsWith(".class") && !p.endsWith("package-info.class")
            && !p.endsWith("module-info.class"))
            .forEach(p -> out.add(where.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "")));
      }
    } else {
      try (JarFile jar = new JarFile(where.toFile())) {
        jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.endsWith("package-info.class")
            && !n.endsWith("module-info.class"))
            .forEach(n -> out.add(n.replace('/', '.').replaceAll("\\.class$", "")));
      }
    }
    return List.copyOf(out);
  }
}
