package dev.smc.transfer.backend;

import dev.smc.InvalidSpecException;
import dev.smc.spi.Backend;
import dev.smc.spi.BackendFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Opens a backend from a location: a plain path (a local folder), or a URI whose scheme a
 * {@link BackendFactory} on the class path serves ({@code file:/srv/repo}, {@code mem:scratch}).
 */
public final class Backends {
  private Backends() {}

  /** Whether {@code location} is a URI ({@code scheme:...}) rather than a plain path. */
  public static boolean isUri(String location) {
    return location.indexOf(':') > 1 && !location.startsWith("/");
  }

  /** Opens the backend at {@code location}; an unknown scheme names the schemes available. */
  public static Backend open(String location) throws IOException {
    if (!isUri(location)) {
      return LocalFolderBackend.open(Path.of(location)); // a plain path (also C:\\ style, colon at 1)
    }
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw InvalidSpecException.of("repo", location, "a folder path or a URI such as file:/srv/repo");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    TreeSet<String> known = new TreeSet<>();
    for (BackendFactory f : ServiceLoader.load(BackendFactory.class, Backends.class.getClassLoader())) {
      if (f.scheme().equals(scheme)) {
        return f.open(uri);
      }
      known.add(f.scheme());
    }
    throw InvalidSpecException.of("repo", location, "a folder path or a URI with a scheme of " + known);
  }

  /** {@code file:} URIs: a local folder. */
  public static final class FileFactory implements BackendFactory {
    @Override
    public String scheme() {
      return "file";
    }

    @Override
    public Backend open(URI location) throws IOException {
      return LocalFolderBackend.open(Path.of(location));
    }
  }

  /** {@code mem:} URIs: a new, empty in-memory backend (for tests and demos). */
  public static final class MemoryFactory implements BackendFactory {
    @Override
    public String scheme() {
      return "mem";
    }

    @Override
    public Backend open(URI location) {
      return new InMemoryBackend();
    }
  }
}
