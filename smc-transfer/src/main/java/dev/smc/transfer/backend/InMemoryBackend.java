package dev.smc.transfer.backend;

import dev.smc.spi.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Objects in memory: for tests, demos and embedding programs that want a scratch store. Objects'
 * modification times come from the clock it was made with (a test's manual clock moves them).
 * Thread-safe.
 */
public final class InMemoryBackend implements Backend {
  private record Stored(byte[] bytes, Instant modified) {}

  private final ConcurrentHashMap<String, Stored> objects = new ConcurrentHashMap<>();
  private final Clock clock;

  /** A backend whose objects are timed by the system clock. */
  public InMemoryBackend() {
    this(Clock.systemUTC());
  }

  /** A backend whose objects are timed by {@code clock}: the backend's own time, as a server's would be. */
  public InMemoryBackend(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
    ByteBuffer b = data.duplicate();
    byte[] copy = new byte[b.remaining()];
    b.get(copy);
    Backend.checkName(name);
    Stored s = new Stored(copy, clock.instant());
    if (mode == PutMode.CREATE_NEW) {
      if (objects.putIfAbsent(name, s) != null) {
        throw new FileAlreadyExistsException(name);
      }
    } else {
      objects.put(name, s);
    }
  }

  private byte[] object(String name) throws NoSuchFileException {
    Stored s = objects.get(Backend.checkName(name));
    if (s == null) {
      throw new NoSuchFileException(name);
    }
    return s.bytes();
  }

  @Override
  public ByteBuffer get(String name) throws IOException {
    return ByteBuffer.wrap(object(name).clone());
  }

  @Override
  public ByteBuffer get(String name, long offset, int length) throws IOException {
    byte[] b = object(name);
    if (offset < 0 || length < 0 || offset + length > b.length) {
      throw new IOException(name + ": " + length + " bytes at " + offset + " asked, object has " + b.length);
    }
    byte[] out = new byte[length];
    System.arraycopy(b, (int) offset, out, 0, length);
    return ByteBuffer.wrap(out);
  }

  @Override
  public Optional<Long> size(String name) {
    Stored s = objects.get(Backend.checkName(name));
    return s == null ? Optional.empty() : Optional.of((long) s.bytes().length);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    objects.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.add(new ObjectInfo(k, v.bytes().length, v.modified()));
      }
    });
    return out;
  }

  @Override
  public void delete(String name) {
    objects.remove(Backend.checkName(name));
  }

  /** Overwrites one byte of a stored object: for tests that prove damage is detected. */
  public void corrupt(String name, long offset) throws IOException {
    byte[] b = object(name);
    b[(int) offset] ^= 0x5a;
  }

  /** Cuts a stored object to {@code length} bytes: for tests of truncated packs. */
  public void truncate(String name, long length) throws IOException {
    byte[] b = object(name);
    objects.put(name, new Stored(java.util.Arrays.copyOf(b, (int) Math.min(length, b.length)), clock.instant()));
  }

  @Override
  public String location() {
    return "memory";
  }

  @Override
  public void close() {}
}
