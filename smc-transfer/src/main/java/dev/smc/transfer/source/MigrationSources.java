package dev.smc.transfer.source;

import dev.smc.spi.MigrationSource;
import dev.smc.spi.MigrationSourceFactory;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sources vendors plug in ({@link MigrationSourceFactory}), found by the scheme a task's source starts with.
 * A source without a registered scheme is not one of theirs: a path, or {@code disks:} ({@link SourceLocator}).
 */
public final class MigrationSources {
  private static final Pattern SCHEME = Pattern.compile("([a-z][a-z0-9+.-]*):(.*)", Pattern.DOTALL);

  private MigrationSources() {}

  /** The factory of {@code source}'s scheme, if a vendor registered one. */
  public static Optional<MigrationSourceFactory> factoryOf(String source) {
    Matcher m = SCHEME.matcher(source);
    if (!m.matches() || m.group(1).equals("disks")) {
      return Optional.empty();
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    for (MigrationSourceFactory f : ServiceLoader.load(MigrationSourceFactory.class,
        MigrationSources.class.getClassLoader())) {
      if (f.scheme().equals(scheme)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The vendor's source {@code source} names, if its scheme is registered. */
  public static Optional<MigrationSource> open(String source) throws IOException {
    Optional<MigrationSourceFactory> f = factoryOf(source);
    if (f.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(f.get().open(source.substring(source.indexOf(':') + 1)));
  }
}
