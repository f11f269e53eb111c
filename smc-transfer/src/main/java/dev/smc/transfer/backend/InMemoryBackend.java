package dev.smc.transfer.backend;

import dev.smc.spi.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Objects in memory: for tests, demos and embedding programs that want a scratch store. Thread-safe. */
public final class InMemoryBackend implements Backend {
  private final ConcurrentHashMap<String, byte[]> objects = new ConcurrentHashMap<>();

  @Override
  public void put(String name, ByteBuffer data, PutMode mode) throws IOException {
    ByteBuffer b = data.duplicate();
    byte[] copy = new byte[b.remaining()];
    b.get(copy);
    Backend.checkName(name);
    if (mode == PutMode.CREATE_NEW) {
      if (objects.putIfAbsent(name, copy) != null) {
        throw new FileAlreadyExistsException(name);
      }
    } else {
      objects.put(name, copy);
    }
  }

  private byte[] object(String name) throws NoSuchFileException {
    byte[] b = objects.get(Backend.checkName(name));
    if (b == null) {
      throw new NoSuchFileException(name);
    }
    return b;
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
    byte[] b = objects.get(Backend.checkName(name));
    return b == null ? Optional.empty() : Optional.of((long) b.length);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    objects.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.add(new ObjectInfo(k, v.length));
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

  @Override
  public String location() {
    return "memory";
  }

  @Override
  public void close() {}
}
